#pragma once

#include "config/model_global.h"
#include "ipvs/kernel/ipvs_message.h"

// From the configuration's global LVS settings to what KernelDataplane sends.
namespace vigil::ipvs::kernel {

// `lvs_sync_daemon` in `role`. keepalived's defaults that equal the kernel's
// (port 8848, group 224.0.0.81) are sent as they are; unset maxlen and ttl
// are left to the kernel.
SyncDaemonSettings syncDaemonSettings(const config::LvsSyncDaemon& daemon, SyncRole role);

// `lvs_timeouts` in whole seconds (rounded up, so a set value never becomes
// 0, which the kernel reads as "unchanged"); unset values stay 0.
LvsTimeouts lvsTimeouts(const config::LvsTimeouts& timeouts);

}  // namespace vigil::ipvs::kernel
