#pragma once

#include "cli/vigild/supervisor_view.h"
#include "core/posix_event_loop.h"
#include "core/result.h"

namespace vigil::cli {

// keepalived's meaning of SIGUSR1 and SIGUSR2: SIGUSR1 writes the data dump
// to /tmp/vigil.data, SIGUSR2 the stats dump to /tmp/vigil.stats
// (monitor/state_dump.h). A dump that cannot be written is logged; the
// daemon goes on.
[[nodiscard]] Status installStateDumps(PosixEventLoop& loop, ViewSource view);

}  // namespace vigil::cli
