#pragma once

#include <string>
#include <vector>

#include "monitor/monitor_view.h"

namespace vigil::monitor {

// A worker older than this many snapshot intervals without a word is
// considered hung: one late snapshot under load is not an outage.
inline constexpr int kSilentIntervals = 3;

struct HealthVerdict {
  bool healthy = true;
  std::vector<std::string> problems;  // "vrrp worker: not running", ...
};

// /healthz: healthy when every worker runs and has sent a snapshot since it
// last started, the latest within kSilentIntervals snapshot intervals.
HealthVerdict assessHealth(const MonitorView& view);

// Whether the worker's snapshot comes from the process running now.
bool hasCurrentSnapshot(const WorkerStatus& worker);

}  // namespace vigil::monitor
