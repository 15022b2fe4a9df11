#pragma once

#include <memory>
#include <string>
#include <vector>

#include "monitor/monitor_view.h"

namespace vigil::monitor {

// /status: one JSON document with the configuration generation, the health
// verdict and, per worker, what the supervisor knows plus the worker's own
// snapshot (null until one arrives). Rendered as pieces to send one after
// another (HttpResponse::sharedBody): the supervisor's own text between the
// workers' snapshots, each snapshot the very text the supervisor holds
// (shared, not copied: 21 MB per /status at 50,000 real servers).
std::vector<std::shared_ptr<const std::string>> renderStatusPieces(const MonitorView& view);

}  // namespace vigil::monitor
