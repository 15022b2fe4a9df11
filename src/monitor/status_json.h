#pragma once

#include <string>

#include "monitor/monitor_view.h"

namespace vigil::monitor {

// /status: one JSON document with the configuration generation, the health
// verdict and, per worker, what the supervisor knows plus the worker's own
// snapshot (null until one arrives).
std::string renderStatusJson(const MonitorView& view);

}  // namespace vigil::monitor
