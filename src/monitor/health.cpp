#include "monitor/health.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::monitor {
namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

bool hasCurrentSnapshot(const WorkerStatus& worker) {
  return worker.running && !worker.lastSnapshot.empty() && worker.lastSnapshotAt &&
         (!worker.startedAt || *worker.lastSnapshotAt >= *worker.startedAt);
}

Duration loopLateness(const WorkerStatus& worker, const MonitorView& view) {
  const Duration sinceSnapshot = view.now - *worker.lastSnapshotAt;
  return std::max(Duration{0}, sinceSnapshot - view.snapshotInterval);
}

HealthVerdict assessHealth(const MonitorView& view) {
  HealthVerdict verdict;
  auto problem = [&](const WorkerStatus& worker, std::string what) {
    verdict.healthy = false;
    verdict.problems.push_back(worker.name + " worker: " + std::move(what));
  };
  for (const WorkerStatus& worker : view.workers) {
    if (!worker.running) {
      problem(worker, "not running");
    } else if (!hasCurrentSnapshot(worker)) {
      problem(worker, "no snapshot since it started");
    } else if (!worker.messageWaiting && loopLateness(worker, view) > kLoopLatenessBound) {
      problem(worker, fmt::format("loop late: no snapshot for {:.1f} s (due every {:.1f} s)",
                                  seconds(view.now - *worker.lastSnapshotAt),
                                  seconds(view.snapshotInterval)));
    }
  }
  return verdict;
}

}  // namespace vigil::monitor
