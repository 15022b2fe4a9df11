#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/supervisor.h"

namespace vigil::monitor {

// Everything the endpoints show, as the supervisor knows it at one moment.
// The endpoints are pure functions of this, so tests build one by hand.
struct MonitorView {
  std::vector<WorkerStatus> workers;  // with each worker's last JSON snapshot
  uint64_t generation = 0;            // configuration generation running
  std::string configPath;
  TimePoint now{};            // the supervisor loop's monotonic now
  double wallNowSeconds = 0;  // Unix time at `now`, for timestamps
  Duration snapshotInterval = std::chrono::seconds(1);
};

}  // namespace vigil::monitor
