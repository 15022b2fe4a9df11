// vrrp_sync_group on real InstanceRuntimes driven by a SimulatedLoop: the
// members move together through the SyncCoordinator, as keepalived's do.
#include "vrrp/sync_coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

namespace vigil::vrrp {
namespace {

using fakes::NullAnnouncer;
using fakes::NullSender;
using std::chrono::milliseconds;
using std::chrono::seconds;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

class CountingVips final : public VipInstaller {
 public:
  void add(const std::vector<config::VirtualAddress>& vips, const std::string&,
           std::optional<Duration>) override {
    installed = vips.size();
  }
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {
    installed = 0;
  }
  size_t installed = 0;
};

class RecordingNotifier final : public TransitionNotifier {
 public:
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t) override {
    seen.emplace_back(instance.name, kind);
  }
  std::vector<std::pair<std::string, NotifyKind>> seen;
};

class RecordingGroupNotifier final : public GroupNotifier {
 public:
  void notify(const config::VrrpSyncGroup& group, State state) override {
    seen.emplace_back(group.name, state);
  }
  std::vector<std::pair<std::string, State>> seen;
};

config::VrrpInstance instanceConfig(const std::string& name, uint8_t vrid) {
  config::VrrpInstance c;
  c.name = name;
  c.interface = "eth0";
  c.vrid = vrid;
  c.priority = 100;
  c.version = 3;
  c.family = AF_INET;
  c.advertInterval = seconds(1);
  c.mcastDst = ip("224.0.0.18");
  c.syncGroup = "G1";
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("10.0.0." + std::to_string(vrid) + "/24");
  c.vips.push_back(vip);
  return c;
}

config::VrrpModel groupModel() {
  config::VrrpModel model;
  config::VrrpSyncGroup group;
  group.name = "G1";
  group.members = {config::NameRef{"VI_A"}, config::NameRef{"VI_B"}};
  model.syncGroups.push_back(group);
  return model;
}

// Two members VI_A (VRID 51) and VI_B (VRID 52) of G1, at priority 100.
class SyncCoordinatorTest : public ::testing::Test {
 protected:
  struct Member {
    CountingVips vips;
    std::unique_ptr<InstanceRuntime> runtime;
  };

  void SetUp() override {
    sync.reset(groupModel());
    for (auto [member, name, vrid] : {std::tuple{&a, "VI_A", 51}, std::tuple{&b, "VI_B", 52}}) {
      config::VrrpInstance config = instanceConfig(name, static_cast<uint8_t>(vrid));
      member->runtime = std::make_unique<InstanceRuntime>(
          loop, config, paramsFor(config, ip("10.0.0.1"), {}),
          RuntimeIo{sender, member->vips, announcer, notifier}, std::nullopt);
      sync.attach(*member->runtime, false);
    }
    a.runtime->start();
    b.runtime->start();
    loop.runPosted();
  }

  State stateOf(const Member& m) const { return m.runtime->state().state; }

  // An advert from a peer at 10.0.0.2 for `m`'s VRID, received as a socket
  // hands it over: the whole IPv4 packet, through the dispatcher.
  void hearPeer(Member& m, uint8_t priority) {
    const std::vector<uint8_t> bytes =
        test::peerAdvert(priority, m.runtime->params().vrid, m.runtime->params().addresses);
    AdvertDispatcher dispatcher;
    dispatcher.add(m.runtime.get());
    dispatcher.receiveIpv4(bytes, loop.now());
    dispatcher.remove(m.runtime.get());
    loop.runPosted();
  }

  SimulatedLoop loop;
  NullSender sender;
  NullAnnouncer announcer;
  RecordingNotifier inner;
  RecordingGroupNotifier groups;
  SyncCoordinator sync{loop, groups};
  SyncTransitionNotifier notifier{inner, sync};
  Member a;
  Member b;
};

TEST_F(SyncCoordinatorTest, MembersStartAsBackupAndTheGroupSaysSo) {
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
  EXPECT_EQ(sync.groupState("G1"), State::Backup);
  EXPECT_EQ(groups.seen, (std::vector<std::pair<std::string, State>>{{"G1", State::Backup}}));
}

TEST_F(SyncCoordinatorTest, OneMemberFaultingFaultsTheOtherAndClearingRestoresBoth) {
  sync.track(*a.runtime, {FaultRaised{}});
  loop.runPosted();
  EXPECT_EQ(stateOf(a), State::Fault);
  EXPECT_EQ(stateOf(b), State::Fault);
  EXPECT_EQ(sync.groupState("G1"), State::Fault);
  EXPECT_EQ(groups.seen.back(), (std::pair<std::string, State>{"G1", State::Fault}));

  sync.track(*a.runtime, {FaultCleared{}});
  loop.runPosted();
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
  EXPECT_EQ(groups.seen.back(), (std::pair<std::string, State>{"G1", State::Backup}));
}

TEST_F(SyncCoordinatorTest, TheGroupStaysFaultedWhileAnyMemberHasItsOwnFault) {
  sync.track(*a.runtime, {FaultRaised{}});
  sync.track(*b.runtime, {FaultRaised{}});
  sync.track(*a.runtime, {FaultCleared{}});
  loop.runPosted();
  EXPECT_EQ(stateOf(a), State::Fault);
  EXPECT_EQ(stateOf(b), State::Fault);
  sync.track(*b.runtime, {FaultCleared{}});
  loop.runPosted();
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
}

TEST_F(SyncCoordinatorTest, AMemberWaitsForTheOtherThenTheGroupTakesOverTogether) {
  // VI_B hears a master at 2 s, so only VI_A's Master_Down_Timer (3.61 s)
  // runs out by 3.7 s: VI_A wants MASTER but VI_B still defers to its
  // master, so the group holds VI_A back.
  loop.advance(seconds(2));
  hearPeer(b, 110);
  loop.advance(milliseconds(1700));
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
  EXPECT_EQ(a.vips.installed, 0u);
  EXPECT_EQ(a.runtime->counters().takeoversHeld, 1u);
  // VI_B's own timer runs out at 5.61 s: now every member wants MASTER, and
  // VI_A follows VI_B at once instead of waiting for its re-armed timer.
  loop.advance(seconds(2));
  EXPECT_EQ(stateOf(b), State::Master);
  EXPECT_EQ(stateOf(a), State::Master);
  EXPECT_EQ(a.vips.installed, 1u);
  EXPECT_EQ(b.vips.installed, 1u);
  EXPECT_EQ(sync.groupState("G1"), State::Master);
  EXPECT_EQ(groups.seen.back(), (std::pair<std::string, State>{"G1", State::Master}));
}

TEST_F(SyncCoordinatorTest, NoMemberTakesOverWhileAnotherStillHearsItsMaster) {
  // The peer's VI_B outranks ours and keeps advertising; its VI_A is gone.
  // Taking VI_A alone would split the group across two directors.
  for (int i = 0; i < 10; ++i) {
    loop.advance(seconds(1));
    hearPeer(b, 110);
  }
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
  EXPECT_EQ(a.vips.installed, 0u);
  EXPECT_GE(a.runtime->counters().takeoversHeld, 2u);
  EXPECT_EQ(sync.groupState("G1"), State::Backup);
  EXPECT_TRUE(std::none_of(inner.seen.begin(), inner.seen.end(),
                           [](const auto& seen) { return seen.second == NotifyKind::Master; }));

  // The peer's VI_B falls silent too: both go once VI_B's timer runs out.
  loop.advance(milliseconds(3700));
  EXPECT_EQ(stateOf(a), State::Master);
  EXPECT_EQ(stateOf(b), State::Master);
}

TEST_F(SyncCoordinatorTest, AHeldMemberThatHearsItsMasterAgainNoLongerWantsIt) {
  loop.advance(seconds(2));
  hearPeer(b, 110);
  loop.advance(milliseconds(1700));  // VI_A held at 3.61 s
  ASSERT_EQ(a.runtime->counters().takeoversHeld, 1u);
  hearPeer(a, 110);          // VI_A's master is back
  loop.advance(seconds(2));  // VI_B's timer runs out at 5.61 s
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
  EXPECT_EQ(b.runtime->counters().takeoversHeld, 1u);
}

TEST_F(SyncCoordinatorTest, APeerLeavingHandsTheWholeGroupOverAfterSkewTime) {
  loop.advance(seconds(1));
  hearPeer(a, 110);
  hearPeer(b, 110);
  loop.advance(seconds(1));
  hearPeer(a, 0);  // the peer's graceful stop: priority 0 on every VRID
  hearPeer(b, 0);
  // Skew_Time at priority 100 and a 1 s interval: 0.609 s.
  loop.advance(milliseconds(620));
  EXPECT_EQ(stateOf(a), State::Master);
  EXPECT_EQ(stateOf(b), State::Master);
}

TEST_F(SyncCoordinatorTest, AMasterFallingBackToBackupTakesTheOtherMasterBack) {
  loop.advance(seconds(4));
  ASSERT_EQ(stateOf(a), State::Master);
  ASSERT_EQ(stateOf(b), State::Master);
  hearPeer(a, 200);  // a higher-priority router takes VRID 51
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);  // stepped down with it
  EXPECT_EQ(b.vips.installed, 0u);
  EXPECT_EQ(inner.seen.back(), (std::pair<std::string, NotifyKind>{"VI_B", NotifyKind::Backup}));
  EXPECT_EQ(groups.seen.back(), (std::pair<std::string, State>{"G1", State::Backup}));
}

TEST_F(SyncCoordinatorTest, NoMemberIsTakenToMasterWhileTheGroupIsFaulted) {
  sync.track(*b.runtime, {FaultRaised{}});
  loop.advance(seconds(10));
  EXPECT_EQ(stateOf(a), State::Fault);
  EXPECT_EQ(stateOf(b), State::Fault);
  EXPECT_EQ(a.vips.installed, 0u);
}

TEST_F(SyncCoordinatorTest, AMemberInFaultHoldsTheOthersTakeover) {
  // VI_B enters Fault through its own state machine, not through the group
  // (as a reload can leave it before its tracking is attached again).
  b.runtime->track({FaultRaised{}});
  loop.runPosted();
  ASSERT_EQ(stateOf(b), State::Fault);
  loop.advance(seconds(5));
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(a.vips.installed, 0u);
  EXPECT_GE(a.runtime->counters().takeoversHeld, 1u);
}

TEST_F(SyncCoordinatorTest, AMemberAttachedLaterTakesOnTheGroupsFault) {
  sync.track(*a.runtime, {FaultRaised{}});
  loop.runPosted();
  sync.reset(groupModel());
  sync.attach(*b.runtime, false);
  sync.attach(*a.runtime, true);
  loop.runPosted();
  EXPECT_EQ(stateOf(b), State::Fault);
  sync.track(*a.runtime, {FaultCleared{}});
  loop.runPosted();
  EXPECT_EQ(stateOf(a), State::Backup);
  EXPECT_EQ(stateOf(b), State::Backup);
}

TEST_F(SyncCoordinatorTest, NonMembersStepTrackingEventsAsTheyAre) {
  config::VrrpInstance config = instanceConfig("VI_LONE", 60);
  config.syncGroup.clear();
  CountingVips vips;
  InstanceRuntime lone(loop, config, paramsFor(config, ip("10.0.0.1"), {}),
                       RuntimeIo{sender, vips, announcer, notifier}, std::nullopt);
  sync.attach(lone, false);
  lone.start();
  sync.track(lone, {FaultRaised{}, PriorityChanged{50}});
  loop.runPosted();
  EXPECT_EQ(lone.state().state, State::Fault);
  EXPECT_EQ(lone.state().priority, 50);
  EXPECT_EQ(stateOf(a), State::Backup);  // the group is untouched
}

}  // namespace
}  // namespace vigil::vrrp
