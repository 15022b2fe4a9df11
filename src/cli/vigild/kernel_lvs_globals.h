#pragma once

#include <memory>

#include "config/model_global.h"
#include "ipvs/dataplane.h"
#include "ipvs/kernel/kernel_dataplane.h"

namespace vigil::cli {

// The global_defs that act on the kernel's IPVS as a whole, applied when the
// check worker opens it: `lvs_timeouts` (set), `lvs_flush` (the table is
// emptied before the first sync, services vigil does not manage included).
// With `lvs_flush_on_stop` (no VS argument) the returned dataplane flushes
// the whole table when destroyed, after the worker has removed its own
// services; otherwise it is `kernel` itself. Failures are logged, never
// fatal.
std::unique_ptr<ipvs::Dataplane> withLvsGlobals(
    std::unique_ptr<ipvs::kernel::KernelDataplane> kernel, const config::GlobalDefs& global);

}  // namespace vigil::cli
