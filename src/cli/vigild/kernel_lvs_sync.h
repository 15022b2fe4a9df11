#pragma once

#include <memory>

#include "vrrp/lvs_sync_role.h"

namespace vigil::cli {

// lvs_sync_daemon on the kernel's IPVS (ipvs::kernel::KernelSyncDaemon):
// what the VRRP worker's LvsSyncFollower drives. Opens nothing until a
// daemon is first wanted.
std::unique_ptr<vrrp::LvsSyncControl> makeKernelLvsSyncControl();

}  // namespace vigil::cli
