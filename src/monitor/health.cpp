#include "monitor/health.h"

#include <fmt/format.h>

namespace vigil::monitor {

bool hasCurrentSnapshot(const WorkerStatus& worker) {
  return worker.running && !worker.lastSnapshot.empty() && worker.lastHeard &&
         (!worker.startedAt || *worker.lastHeard >= *worker.startedAt);
}

HealthVerdict assessHealth(const MonitorView& view) {
  HealthVerdict verdict;
  auto problem = [&](const WorkerStatus& worker, std::string what) {
    verdict.healthy = false;
    verdict.problems.push_back(worker.name + " worker: " + std::move(what));
  };
  const Duration limit = kSilentIntervals * view.snapshotInterval;
  for (const WorkerStatus& worker : view.workers) {
    if (!worker.running) {
      problem(worker, "not running");
    } else if (!hasCurrentSnapshot(worker)) {
      problem(worker, "no snapshot since it started");
    } else if (view.now - *worker.lastHeard > limit) {
      problem(worker,
              fmt::format("silent for {:.1f} s",
                          std::chrono::duration<double>(view.now - *worker.lastHeard).count()));
    }
  }
  return verdict;
}

}  // namespace vigil::monitor
