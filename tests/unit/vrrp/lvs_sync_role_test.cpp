#include "vrrp/lvs_sync_role.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/fake_lvs_sync_control.h"

namespace vigil::vrrp {
namespace {

using Kind = SyncDaemonOp::Kind;
constexpr SyncDaemonRole kMaster = SyncDaemonRole::Master;
constexpr SyncDaemonRole kBackup = SyncDaemonRole::Backup;

config::LvsSyncDaemon daemonFor(std::string instance) {
  config::LvsSyncDaemon daemon;
  daemon.interface = "eth1";
  daemon.vrrpInstance = std::move(instance);
  daemon.syncId = 51;
  return daemon;
}

TEST(LvsSyncRole, NamedInstanceMasterRunsTheMasterDaemonOnly) {
  EXPECT_EQ(wantedSyncDaemons(daemonFor("VI_1"), true), (SyncDaemons{true, false}));
  EXPECT_EQ(wantedSyncDaemons(daemonFor("VI_1"), false), (SyncDaemons{false, true}));
}

TEST(LvsSyncRole, WithoutAnInstanceBothDaemonsRun) {
  EXPECT_EQ(wantedSyncDaemons(daemonFor(""), true), (SyncDaemons{true, true}));
  EXPECT_EQ(wantedSyncDaemons(daemonFor(""), false), (SyncDaemons{true, true}));
}

TEST(LvsSyncRole, OnlyADaemonWithoutAnInstanceNeedsTheVrrpWorkerByItself) {
  EXPECT_TRUE(syncDaemonNeedsVrrpWorker(daemonFor("")));
  EXPECT_FALSE(syncDaemonNeedsVrrpWorker(daemonFor("VI_1")));  // the instance brings it
  EXPECT_FALSE(syncDaemonNeedsVrrpWorker(std::nullopt));
}

TEST(LvsSyncRole, OpsStopTheLeavingRoleBeforeStartingTheNewOne) {
  EXPECT_EQ(syncDaemonOps({false, true}, {true, false}),
            (std::vector<SyncDaemonOp>{{Kind::Stop, kBackup}, {Kind::Start, kMaster}}));
  EXPECT_EQ(syncDaemonOps({true, false}, {false, true}),
            (std::vector<SyncDaemonOp>{{Kind::Stop, kMaster}, {Kind::Start, kBackup}}));
}

TEST(LvsSyncRole, OpsAreEmptyWhenNothingChanges) {
  EXPECT_TRUE(syncDaemonOps({true, false}, {true, false}).empty());
  EXPECT_TRUE(syncDaemonOps({}, {}).empty());
}

TEST(LvsSyncRole, SameDaemonIgnoresTheInstanceNameOnly) {
  config::LvsSyncDaemon a = daemonFor("VI_1");
  config::LvsSyncDaemon b = daemonFor("VI_2");
  EXPECT_TRUE(sameSyncDaemon(a, b));
  b.port = 8849;
  EXPECT_FALSE(sameSyncDaemon(a, b));
}

TEST(LvsSyncFollower, StartsAsBackupAfterClearingLeftovers) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  control.kernel = {true, false};  // left by a worker that was killed
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), false);
  EXPECT_EQ(control.calls,
            (std::vector<std::string>{"stop master", "stop backup", "start backup eth1"}));
  EXPECT_EQ(control.kernel, (SyncDaemons{false, true}));
  EXPECT_EQ(follower.running(), (SyncDaemons{false, true}));
  EXPECT_EQ(follower.failures(), 0u);
}

TEST(LvsSyncFollower, FollowsTheNamedInstanceThroughMasterFaultAndBackup) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), false);
  follower.transitioned("VI_1", NotifyKind::Master);
  EXPECT_EQ(control.kernel, (SyncDaemons{true, false}));
  follower.transitioned("VI_1", NotifyKind::Fault);
  EXPECT_EQ(control.kernel, (SyncDaemons{false, true}));
  follower.transitioned("VI_1", NotifyKind::Master);
  follower.transitioned("VI_1", NotifyKind::Backup);
  EXPECT_EQ(control.kernel, (SyncDaemons{false, true}));
  EXPECT_EQ(follower.failures(), 0u);
}

TEST(LvsSyncFollower, OtherInstancesAndRepeatedStatesSendNothing) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), false);
  control.calls.clear();
  follower.transitioned("VI_2", NotifyKind::Master);
  follower.transitioned("VI_1", NotifyKind::Backup);
  follower.transitioned("VI_1", NotifyKind::MasterRxLowerPriority);
  EXPECT_TRUE(control.calls.empty());
}

TEST(LvsSyncFollower, WithoutAnInstanceBothRunWhateverTheTransitions) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor(""), false);
  follower.transitioned("VI_1", NotifyKind::Master);
  EXPECT_EQ(control.kernel, (SyncDaemons{true, true}));
}

TEST(LvsSyncFollower, StopStopsBothAndIgnoresLaterTransitions) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), true);
  EXPECT_EQ(control.kernel, (SyncDaemons{true, false}));
  follower.stop();
  follower.transitioned("VI_1", NotifyKind::Stop);
  EXPECT_EQ(control.kernel, (SyncDaemons{}));
  EXPECT_EQ(follower.running(), (SyncDaemons{}));
}

TEST(LvsSyncFollower, NoDaemonConfiguredTouchesNothing) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(std::nullopt, true);
  follower.transitioned("VI_1", NotifyKind::Master);
  follower.stop();
  EXPECT_TRUE(control.calls.empty());
}

TEST(LvsSyncFollower, MissingIpvsIsCountedAndRetriedOnTheNextTransition) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  control.error = "kernel IPVS: no IPVS family";
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), false);
  EXPECT_EQ(follower.running(), (SyncDaemons{}));
  EXPECT_EQ(follower.failures(), 3u);  // two stops and the start
  control.error.clear();
  follower.transitioned("VI_1", NotifyKind::Master);
  EXPECT_EQ(control.kernel, (SyncDaemons{true, false}));
}

TEST(LvsSyncFollower, ReloadKeepsAnUnchangedDaemonAndRestartsAChangedOne) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), true);
  control.calls.clear();
  follower.reconfigure(daemonFor("VI_1"), true);
  EXPECT_TRUE(control.calls.empty());
  config::LvsSyncDaemon moved = daemonFor("VI_1");
  moved.interface = "eth2";
  follower.reconfigure(moved, true);
  EXPECT_EQ(control.calls.back(), "start master eth2");
  EXPECT_EQ(control.kernel, (SyncDaemons{true, false}));
  follower.reconfigure(std::nullopt, true);
  EXPECT_EQ(control.kernel, (SyncDaemons{}));
}

TEST(LvsSyncFollower, ReloadNamingAnotherInstanceTakesItsRole) {
  fakes::FakeLvsSyncControl fake;
  auto& control = fake.state();
  LvsSyncFollower follower(&fake);
  follower.start(daemonFor("VI_1"), true);
  follower.reconfigure(daemonFor("VI_2"), false);
  EXPECT_EQ(control.kernel, (SyncDaemons{false, true}));
  follower.transitioned("VI_1", NotifyKind::Master);
  EXPECT_EQ(control.kernel, (SyncDaemons{false, true}));
  follower.transitioned("VI_2", NotifyKind::Master);
  EXPECT_EQ(control.kernel, (SyncDaemons{true, false}));
}

}  // namespace
}  // namespace vigil::vrrp
