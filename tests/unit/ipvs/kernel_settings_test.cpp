#include "ipvs/kernel/kernel_settings.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vigil::ipvs::kernel {
namespace {

using namespace std::chrono_literals;

TEST(KernelSettings, SyncDaemonTakesEveryConfiguredField) {
  config::LvsSyncDaemon daemon;
  daemon.interface = "eth2";
  daemon.vrrpInstance = "VI_1";
  daemon.syncId = 51;
  daemon.maxLen = 1400;
  daemon.port = 8850;
  daemon.ttl = 4;
  daemon.group = *IpAddress::parse("239.0.0.9");
  SyncDaemonSettings s = syncDaemonSettings(daemon, SyncRole::Backup);
  EXPECT_EQ(s, (SyncDaemonSettings{SyncRole::Backup, "eth2", 51, 1400, 8850, 4,
                                   *IpAddress::parse("239.0.0.9")}));
}

TEST(KernelSettings, UnsetMaxlenAndTtlAreLeftToTheKernel) {
  config::LvsSyncDaemon daemon;
  daemon.interface = "eth0";
  SyncDaemonSettings s = syncDaemonSettings(daemon, SyncRole::Master);
  EXPECT_EQ(s.maxLength, 0);
  EXPECT_EQ(s.ttl, 0);
  EXPECT_EQ(s.port, 8848);
  EXPECT_EQ(s.group, *IpAddress::parse("224.0.0.81"));
}

TEST(KernelSettings, TimeoutsAreWholeSecondsAndUnsetStaysZero) {
  config::LvsTimeouts t;
  t.tcp = 900s;
  t.udp = 1500ms;  // rounded up: 0 would mean "unchanged"
  EXPECT_EQ(lvsTimeouts(t), (LvsTimeouts{900, 0, 2}));
}

}  // namespace
}  // namespace vigil::ipvs::kernel
