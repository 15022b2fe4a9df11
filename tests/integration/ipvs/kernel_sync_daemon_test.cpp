#include "ipvs/kernel/kernel_sync_daemon.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "ipvs/kernel/kernel_dataplane.h"

namespace vigil::ipvs::kernel {
namespace {

// Where the kernel has no IPVS (the development machines), every call fails
// at once with the same error, which the VRRP worker logs once; the guest
// (tests/vm/ipvs_sync_role.sh) drives the daemons on a real kernel.
TEST(KernelSyncDaemonMissing, EveryCallFailsAtOnceWithTheSameError) {
  if (kernelIpvsAvailable()) GTEST_SKIP() << "this kernel has IPVS";
  KernelSyncDaemon daemon;
  SyncDaemonSettings settings;
  settings.interface = "lo";
  Status started = daemon.start(settings);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, EPROTONOSUPPORT);
  EXPECT_NE(started.error().message.find("\"IPVS\""), std::string::npos);
  Status stopped = daemon.stop(SyncRole::Backup);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().describe(), started.error().describe());
}

}  // namespace
}  // namespace vigil::ipvs::kernel
