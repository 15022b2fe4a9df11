#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/posix_event_loop.h"
#include "core/supervisor.h"
#include "monitor/monitor_view.h"

namespace vigil::cli {

// What the supervisor knows right now, as the monitoring code reads it
// (systemd notifications, state dumps).
using ViewSource = std::function<monitor::MonitorView()>;

ViewSource supervisorView(const PosixEventLoop& loop, const Supervisor& supervisor,
                          std::string configPath, Duration snapshotInterval,
                          std::function<uint64_t()> generation);

}  // namespace vigil::cli
