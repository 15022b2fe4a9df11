#include "monitor/health.h"

#include <fmt/format.h>

namespace vigil::monitor {

bool hasCurrentSnapshot(const WorkerStatus& worker) {
  return worker.running && !worker.lastSnapshot.empty() && worker.lastSnapshotAt &&
         (!worker.startedAt || *worker.lastSnapshotAt >= *worker.startedAt);
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
    } else if (view.now - *worker.lastSnapshotAt > limit) {
      problem(
          worker,
          fmt::format("no snapshot for {:.1f} s",
                      std::chrono::duration<double>(view.now - *worker.lastSnapshotAt).count()));
    }
  }
  return verdict;
}

}  // namespace vigil::monitor
