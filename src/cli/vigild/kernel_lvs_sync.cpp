#include "cli/vigild/kernel_lvs_sync.h"

#include "ipvs/kernel/kernel_settings.h"
#include "ipvs/kernel/kernel_sync_daemon.h"

namespace vigil::cli {
namespace {

ipvs::kernel::SyncRole kernelRole(vrrp::SyncDaemonRole role) {
  return role == vrrp::SyncDaemonRole::Master ? ipvs::kernel::SyncRole::Master
                                              : ipvs::kernel::SyncRole::Backup;
}

class KernelLvsSyncControl final : public vrrp::LvsSyncControl {
 public:
  Status start(vrrp::SyncDaemonRole role, const config::LvsSyncDaemon& daemon) override {
    return kernel_.start(ipvs::kernel::syncDaemonSettings(daemon, kernelRole(role)));
  }
  Status stop(vrrp::SyncDaemonRole role) override { return kernel_.stop(kernelRole(role)); }

 private:
  ipvs::kernel::KernelSyncDaemon kernel_;
};

}  // namespace

std::unique_ptr<vrrp::LvsSyncControl> makeKernelLvsSyncControl() {
  return std::make_unique<KernelLvsSyncControl>();
}

}  // namespace vigil::cli
