#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "monitor/monitor_view.h"

// MonitorViews for the renderer tests: a supervisor at monotonic 100 s
// (Unix 1700000100) whose workers started at 10 s and last reported at 99 s,
// so every snapshot is one second old.
namespace vigil::monitor::test {

// A running worker `name` whose last snapshot is `snapshot`.
inline WorkerStatus reportingWorker(std::string name, std::string snapshot) {
  using std::chrono::seconds;
  WorkerStatus w;
  w.name = std::move(name);
  w.running = true;
  w.startedAt = TimePoint{seconds(10)};
  w.lastHeard = TimePoint{seconds(99)};
  w.lastSnapshotAt = TimePoint{seconds(99)};
  w.lastSnapshot = std::move(snapshot);
  return w;
}

// A view holding only the check worker, with `checkSnapshot`.
inline MonitorView checkWorkerView(std::string checkSnapshot) {
  MonitorView v;
  v.now = TimePoint{std::chrono::seconds(100)};
  v.wallNowSeconds = 1700000100;
  v.workers = {reportingWorker("check", std::move(checkSnapshot))};
  return v;
}

}  // namespace vigil::monitor::test
