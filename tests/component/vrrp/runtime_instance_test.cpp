#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/simulated_loop.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FakeSender final : public AdvertSender {
 public:
  void prepare(const VrrpPacket& packet) override {
    prepared = packet;
    ++prepares;
  }
  Status send() override {
    sent.push_back(prepared);
    return {};
  }
  VrrpPacket prepared;
  int prepares = 0;
  std::vector<VrrpPacket> sent;
};

class FakeVips final : public VipInstaller {
 public:
  void add(const std::vector<config::VirtualAddress>& vips, const std::string&,
           std::optional<Duration> lifetime) override {
    ++adds;
    installed = vips.size();
    lastLifetime = lifetime;
  }
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {
    ++removes;
    installed = 0;
  }
  int adds = 0;
  int removes = 0;
  size_t installed = 0;
  std::optional<Duration> lastLifetime;
};

class FakeAnnouncer final : public VipAnnouncer {
 public:
  void announce(const std::vector<config::VirtualAddress>&, const std::string&,
                GratuitousReason) override {
    ++count;
  }
  int count = 0;
};

class FakeAcceptFilter final : public AcceptFilter {
 public:
  void block(const std::string& instance, const std::vector<IpAddress>& vips) override {
    ++blocks;
    blocked[instance] = vips;
  }
  void unblock(const std::string& instance) override {
    ++unblocks;
    blocked.erase(instance);
  }
  int blocks = 0;
  int unblocks = 0;
  std::map<std::string, std::vector<IpAddress>> blocked;
};

class FakeNotifier final : public TransitionNotifier {
 public:
  void notify(const config::VrrpInstance&, NotifyKind kind, uint8_t) override {
    kinds.push_back(kind);
  }
  std::vector<NotifyKind> kinds;
};

using test::ip;
using test::peerAdvert;

config::VrrpInstance instanceConfig() {
  config::VrrpInstance c = test::instanceConfig();
  c.garp.masterRepeat = 1;  // one round at takeover, nothing more
  return c;
}

class InstanceRuntimeTest : public ::testing::Test {
 protected:
  void create(config::VrrpInstance config = instanceConfig(),
              std::optional<Duration> lifetime = seconds(2),
              const config::VrrpGlobalDefaults& defaults = {}) {
    if (runtime) dispatcher.remove(runtime.get());
    InstanceParams params = paramsFor(config, ip("10.0.0.1"), defaults);
    runtime = std::make_unique<InstanceRuntime>(
        loop, config, params, RuntimeIo{sender, vips, gratuitous, notifier, &accept}, lifetime);
    dispatcher.add(runtime.get());
  }
  void TearDown() override {
    if (runtime) dispatcher.remove(runtime.get());
  }

  // Master_Down_Interval for v3, priority 100, 1 s: 3 s + (156 * 1 s) / 256.
  static constexpr Duration kMasterDown = seconds(3) + std::chrono::microseconds(609375);

  SimulatedLoop loop;
  FakeSender sender;
  FakeVips vips;
  FakeAnnouncer gratuitous;
  FakeNotifier notifier;
  FakeAcceptFilter accept;
  AdvertDispatcher dispatcher;
  std::unique_ptr<InstanceRuntime> runtime;
};

TEST_F(InstanceRuntimeTest, StartsAsBackupAndBecomesMasterAfterMasterDownInterval) {
  create();
  runtime->start();
  EXPECT_EQ(runtime->state().state, State::Backup);
  EXPECT_TRUE(sender.sent.empty());

  loop.advance(kMasterDown - milliseconds(1));
  EXPECT_EQ(runtime->state().state, State::Backup);
  loop.advance(milliseconds(1));

  EXPECT_EQ(runtime->state().state, State::Master);
  ASSERT_EQ(sender.sent.size(), 1u);
  EXPECT_EQ(sender.sent[0].priority, 100);
  EXPECT_EQ(sender.sent[0].vrid, 51);
  EXPECT_EQ(sender.sent[0].addresses, std::vector<IpAddress>{ip("10.0.0.100")});
  EXPECT_EQ(vips.installed, 1u);
  EXPECT_EQ(vips.lastLifetime, std::optional<Duration>(seconds(2)));
  EXPECT_EQ(gratuitous.count, 1);
  EXPECT_EQ(notifier.kinds.back(), NotifyKind::Master);
  EXPECT_EQ(runtime->counters().transitions, 2u);  // Initialize -> Backup -> Master
  EXPECT_EQ(runtime->counters().lastTransition, std::optional(loop.now()));
}

TEST_F(InstanceRuntimeTest, MasterAdvertisesEveryIntervalAndRefreshesVips) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  const int addsAtTakeover = vips.adds;

  loop.advance(seconds(2));

  EXPECT_EQ(runtime->counters().advertsSent, 3u);
  EXPECT_EQ(sender.sent.size(), 3u);
  // advert_int 1 s is half the 2 s lifetime: renewed in every advert's turn
  // (VipRefreshSchedule), two renewals in 2 s and no wake-up of their own.
  EXPECT_EQ(vips.adds - addsAtTakeover, 2);
}

// A MASTER's advert is the same from one interval to the next: the sender
// gets it (and may encode it) once per change, not once per advert.
TEST_F(InstanceRuntimeTest, TheAdvertIsPreparedOncePerChangeNotPerSend) {
  create();
  EXPECT_EQ(sender.prepares, 1);
  runtime->start();
  loop.advance(kMasterDown + seconds(5));
  ASSERT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(sender.sent.size(), 6u);
  EXPECT_EQ(sender.prepares, 1);

  runtime->track({PriorityChanged{50}});
  loop.advance(seconds(3));
  EXPECT_EQ(sender.prepares, 2);
  EXPECT_EQ(sender.sent.size(), 10u);
  EXPECT_EQ(sender.sent.back().priority, 50);

  config::VrrpInstance changed = instanceConfig();
  changed.vips[0].prefix = *IpPrefix::parse("10.0.0.101/24");
  runtime->reconfigure(changed, paramsFor(changed, ip("10.0.0.1")), seconds(2));
  loop.advance(seconds(3));
  // The new list at the configured priority, then the tracked one again.
  EXPECT_EQ(sender.prepares, 4);
  EXPECT_EQ(sender.sent.back().priority, 50);
  EXPECT_EQ(sender.sent.back().addresses, std::vector<IpAddress>{ip("10.0.0.101")});
}

TEST_F(InstanceRuntimeTest, HigherPriorityAdvertTurnsMasterIntoBackup) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);

  dispatcher.receiveIpv4(peerAdvert(200), loop.now());

  EXPECT_EQ(runtime->state().state, State::Backup);
  EXPECT_EQ(runtime->state().masterAddress, ip("10.0.0.2"));
  EXPECT_EQ(vips.installed, 0u);
  EXPECT_EQ(runtime->counters().advertsReceived, 1u);
  // No more VIP renewals once Backup.
  const int adds = vips.adds;
  loop.advance(seconds(2));
  EXPECT_EQ(vips.adds, adds);
}

TEST_F(InstanceRuntimeTest, BackupHearingMasterStaysBackup) {
  create();
  runtime->start();
  for (int i = 0; i < 10; ++i) {
    loop.advance(seconds(1));
    dispatcher.receiveIpv4(peerAdvert(150), loop.now());
  }
  EXPECT_EQ(runtime->state().state, State::Backup);
  EXPECT_TRUE(sender.sent.empty());
  EXPECT_EQ(runtime->counters().advertsReceived, 10u);
}

TEST_F(InstanceRuntimeTest, ShutdownOfMasterSendsPriorityZeroAndRemovesVips) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(vips.installed, 1u);

  runtime->stop();

  ASSERT_FALSE(sender.sent.empty());
  EXPECT_EQ(sender.sent.back().priority, kPriorityStop);
  EXPECT_EQ(vips.installed, 0u);
  EXPECT_EQ(loop.armedTimers(), 0u);
}

TEST_F(InstanceRuntimeTest, ShutdownOfBackupSendsNothing) {
  create();
  runtime->start();
  runtime->stop();
  EXPECT_TRUE(sender.sent.empty());
  EXPECT_EQ(loop.armedTimers(), 0u);
}

TEST_F(InstanceRuntimeTest, MalformedPacketsAreCountedAndDoNotMoveTheState) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);

  std::vector<uint8_t> badChecksum = peerAdvert(200);
  badChecksum.back() ^= 0xff;  // an address byte: the VRRP checksum no longer matches
  dispatcher.receiveIpv4(badChecksum, loop.now());
  std::vector<uint8_t> cut = peerAdvert(200);
  cut.resize(10);
  dispatcher.receiveIpv4(cut, loop.now());
  dispatcher.receiveIpv4(peerAdvert(200, 52), loop.now());
  dispatcher.receiveIpv4({}, loop.now());

  EXPECT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::BadChecksum), 1u);
  EXPECT_EQ(dispatcher.rejected(RejectReason::VridMismatch), 1u);
  EXPECT_EQ(dispatcher.rejected(RejectReason::TooShort), 2u);
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);
}

TEST_F(InstanceRuntimeTest, AdvertWithOtherAddressesIsRejectedByProtocolCheck) {
  config::VrrpInstance config = instanceConfig();
  config.vips[0].prefix = *IpPrefix::parse("10.0.0.200/24");
  create(config);
  runtime->start();

  dispatcher.receiveIpv4(peerAdvert(200), loop.now());

  EXPECT_EQ(runtime->counters().rejected(RejectReason::AddressListMismatch), 1u);
  EXPECT_EQ(runtime->state().masterAddress, IpAddress{});
}

TEST_F(InstanceRuntimeTest, CheckUnicastSrcDropsAdvertsFromStrangers) {
  config::VrrpInstance config = instanceConfig();
  config.unicast = true;
  config.checkUnicastSrc = true;
  config::UnicastPeer peer;
  peer.address = ip("10.0.0.3");
  config.unicastPeers.push_back(peer);
  create(config);
  runtime->start();

  dispatcher.receiveIpv4(peerAdvert(200), loop.now());  // from 10.0.0.2

  EXPECT_EQ(runtime->counters().unknownUnicastSource, 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);
}

TEST_F(InstanceRuntimeTest, WithoutLifetimeVipsArePermanentAndNotRefreshed) {
  create(instanceConfig(), std::nullopt);
  runtime->start();
  loop.advance(kMasterDown + seconds(5));
  EXPECT_EQ(vips.adds, 1);
  EXPECT_EQ(vips.lastLifetime, std::nullopt);
}

TEST_F(InstanceRuntimeTest, ReconfiguredMasterKeepsItsStateAndSwapsVips) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);
  const uint64_t transitions = runtime->counters().transitions;
  const int removes = vips.removes;

  config::VrrpInstance changed = instanceConfig();
  changed.priority = 150;
  changed.vips[0].prefix = *IpPrefix::parse("10.0.0.101/24");
  runtime->reconfigure(changed, paramsFor(changed, ip("10.0.0.1")), seconds(2));

  EXPECT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(runtime->counters().transitions, transitions);
  EXPECT_EQ(runtime->state().priority, 150);
  EXPECT_EQ(vips.removes, removes + 1);  // 10.0.0.100 dropped
  EXPECT_EQ(vips.installed, 1u);
  EXPECT_EQ(sender.sent.back().priority, 150);
  loop.advance(seconds(1));
  EXPECT_EQ(sender.sent.back().addresses, std::vector<IpAddress>{ip("10.0.0.101")});
}

TEST_F(InstanceRuntimeTest, ReconfiguredBackupKeepsWaitingForTheMaster) {
  create();
  runtime->start();
  loop.advance(seconds(1));
  config::VrrpInstance changed = instanceConfig();
  changed.vips.push_back(changed.vips[0]);
  changed.vips[1].prefix = *IpPrefix::parse("10.0.0.102/24");
  runtime->reconfigure(changed, paramsFor(changed, ip("10.0.0.1")), seconds(2));

  EXPECT_EQ(runtime->state().state, State::Backup);
  EXPECT_EQ(vips.adds, 0);
  loop.advance(kMasterDown - seconds(1));
  EXPECT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(vips.installed, 2u);
}

// virtual_ipaddress_excluded: held and announced by the MASTER like the
// VIPs, never listed in its adverts (so peers' address checks ignore them).
TEST_F(InstanceRuntimeTest, MasterHoldsExcludedAddressesWithoutAdvertisingThem) {
  config::VrrpInstance config = instanceConfig();
  config.excludedVips.push_back(config.vips[0]);
  config.excludedVips[0].prefix = *IpPrefix::parse("10.0.0.150/24");
  create(config);
  runtime->start();
  loop.advance(kMasterDown);

  ASSERT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(vips.installed, 2u);
  EXPECT_EQ(sender.sent.back().addresses, std::vector<IpAddress>{ip("10.0.0.100")});

  // A reload that drops the excluded address removes it and keeps the VIP.
  const int removes = vips.removes;
  runtime->reconfigure(instanceConfig(), paramsFor(instanceConfig(), ip("10.0.0.1")), seconds(2));
  EXPECT_EQ(vips.removes, removes + 1);
  EXPECT_EQ(vips.installed, 1u);
  EXPECT_EQ(runtime->state().state, State::Master);

  runtime->stop();
  EXPECT_EQ(vips.installed, 0u);
}

TEST_F(InstanceRuntimeTest, TrackingLowersPriorityAndFaultsTheMaster) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);

  runtime->track({PriorityChanged{50}});
  EXPECT_EQ(runtime->state().priority, 50);
  EXPECT_EQ(sender.sent.back().priority, 50);

  runtime->track({FaultRaised{}});
  EXPECT_EQ(runtime->state().state, State::Fault);
  EXPECT_EQ(vips.installed, 0u);
  EXPECT_EQ(notifier.kinds.back(), NotifyKind::Fault);
}

TEST_F(InstanceRuntimeTest, FaultRaisedBeforeStartKeepsTheInstanceInFault) {
  create();
  runtime->track({FaultRaised{}});
  runtime->start();
  loop.advance(kMasterDown * 2);
  EXPECT_EQ(runtime->state().state, State::Fault);
  EXPECT_TRUE(sender.sent.empty());
}

// keepalived's defaults: garp_master_repeat 5, garp_master_delay 5 s.
config::VrrpInstance withGarpDefaults() {
  config::VrrpInstance c = instanceConfig();
  c.garp.masterRepeat = 5;
  c.garp.masterDelay = seconds(5);
  c.garp.lowerPrioRepeat = 5;
  c.garp.lowerPrioDelay = seconds(5);
  c.garp.masterRefreshRepeat = 1;
  return c;
}

TEST_F(InstanceRuntimeTest, TakeoverSendsTheMasterBurstThenTheDelayedOne) {
  create(withGarpDefaults());
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(gratuitous.count, 5);

  loop.advance(seconds(5) - milliseconds(1));
  EXPECT_EQ(gratuitous.count, 5);
  loop.advance(milliseconds(1));
  EXPECT_EQ(gratuitous.count, 10);
  loop.advance(seconds(60));
  EXPECT_EQ(gratuitous.count, 10);
}

TEST_F(InstanceRuntimeTest, GarpIntervalSpacesTheRoundsOfABurst) {
  config::VrrpInstance config = withGarpDefaults();
  config.garp.masterRepeat = 3;
  config.garp.masterDelay = Duration::zero();
  config::VrrpGlobalDefaults defaults;
  defaults.garpInterval = milliseconds(100);
  defaults.gnaInterval = milliseconds(7);  // IPv6 only: not this instance's
  create(config, seconds(2), defaults);
  runtime->start();
  loop.advance(kMasterDown);
  EXPECT_EQ(gratuitous.count, 1);
  loop.advance(milliseconds(99));
  EXPECT_EQ(gratuitous.count, 1);
  loop.advance(milliseconds(1));
  EXPECT_EQ(gratuitous.count, 2);
  loop.advance(milliseconds(100));
  EXPECT_EQ(gratuitous.count, 3);
  loop.advance(seconds(10));
  EXPECT_EQ(gratuitous.count, 3);
}

TEST_F(InstanceRuntimeTest, MasterRefreshRepeatsUntilTheInstanceLeavesMaster) {
  config::VrrpInstance config = withGarpDefaults();
  config.garp.masterRepeat = 1;
  config.garp.masterDelay = Duration::zero();
  config.garp.masterRefresh = seconds(10);
  config.garp.masterRefreshRepeat = 2;
  create(config);
  runtime->start();
  loop.advance(kMasterDown);
  EXPECT_EQ(gratuitous.count, 1);
  loop.advance(seconds(10));
  EXPECT_EQ(gratuitous.count, 3);
  loop.advance(seconds(10));
  EXPECT_EQ(gratuitous.count, 5);

  dispatcher.receiveIpv4(peerAdvert(200), loop.now());
  ASSERT_EQ(runtime->state().state, State::Backup);
  for (int i = 0; i < 30; ++i) {  // the new master keeps advertising
    loop.advance(seconds(1));
    dispatcher.receiveIpv4(peerAdvert(200), loop.now());
  }
  ASSERT_EQ(runtime->state().state, State::Backup);
  EXPECT_EQ(gratuitous.count, 5);
}

TEST_F(InstanceRuntimeTest, LowerPriorityAdvertSendsItsBurstsNowAndAfterTheDelay) {
  config::VrrpInstance config = withGarpDefaults();
  config.garp.masterDelay = Duration::zero();
  config.garp.lowerPrioRepeat = 2;
  config.garp.lowerPrioDelay = seconds(3);
  create(config);
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(gratuitous.count, 5);

  dispatcher.receiveIpv4(peerAdvert(50), loop.now());
  ASSERT_EQ(runtime->state().state, State::Master);
  EXPECT_EQ(gratuitous.count, 7);
  loop.advance(seconds(3));
  EXPECT_EQ(gratuitous.count, 9);
}

TEST_F(InstanceRuntimeTest, StoppingAMasterDropsItsQueuedGratuitousRounds) {
  create(withGarpDefaults());
  runtime->start();
  loop.advance(kMasterDown);
  ASSERT_EQ(gratuitous.count, 5);
  runtime->stop();
  EXPECT_EQ(loop.armedTimers(), 0u);
  loop.advance(seconds(10));
  EXPECT_EQ(gratuitous.count, 5);
}

TEST_F(InstanceRuntimeTest, NoAcceptDropsVipTrafficFromStartToStop) {
  config::VrrpInstance config = instanceConfig();
  config.accept = false;
  create(config);
  runtime->start();
  EXPECT_EQ(accept.blocked["VI_1"], std::vector<IpAddress>{ip("10.0.0.100")});
  loop.advance(kMasterDown);
  ASSERT_EQ(runtime->state().state, State::Master);
  dispatcher.receiveIpv4(peerAdvert(200), loop.now());
  ASSERT_EQ(runtime->state().state, State::Backup);
  EXPECT_EQ(accept.blocks, 1);  // the rules stay through takeovers

  runtime->stop();
  EXPECT_TRUE(accept.blocked.empty());
  EXPECT_EQ(accept.unblocks, 1);
}

TEST_F(InstanceRuntimeTest, AcceptModeAndTheAddressOwnerInstallNoRules) {
  create();
  runtime->start();
  loop.advance(kMasterDown);
  runtime->stop();
  config::VrrpInstance owner = instanceConfig();
  owner.accept = false;
  owner.priority = 255;  // RFC 5798: the owner always accepts
  create(owner);
  runtime->start();
  ASSERT_EQ(runtime->state().state, State::Master);
  runtime->stop();
  EXPECT_EQ(accept.blocks, 0);
  EXPECT_EQ(accept.unblocks, 0);
}

TEST_F(InstanceRuntimeTest, ReloadFollowsAcceptModeAndTheVipList) {
  config::VrrpInstance config = instanceConfig();
  config.accept = false;
  create(config);
  runtime->start();
  loop.advance(kMasterDown);

  config.vips[0].prefix = *IpPrefix::parse("10.0.0.101/24");
  runtime->reconfigure(config, paramsFor(config, ip("10.0.0.1")), seconds(2));
  EXPECT_EQ(accept.blocked["VI_1"], std::vector<IpAddress>{ip("10.0.0.101")});
  runtime->reconfigure(config, paramsFor(config, ip("10.0.0.1")), seconds(2));
  EXPECT_EQ(accept.blocks, 2);  // unchanged: not re-run

  config.accept = true;
  runtime->reconfigure(config, paramsFor(config, ip("10.0.0.1")), seconds(2));
  EXPECT_TRUE(accept.blocked.empty());
}

// vrrp_strict: the RFC's address-list check applies even where
// skip_check_adv_addr would skip it for the known master.
TEST_F(InstanceRuntimeTest, StrictModeChecksTheAddressListOfTheKnownMaster) {
  for (bool strict : {false, true}) {
    config::VrrpInstance config = instanceConfig();
    config.skipCheckAdvAddr = true;
    config.strictMode = strict;
    create(config);
    runtime->start();
    dispatcher.receiveIpv4(peerAdvert(200), loop.now());
    ASSERT_EQ(runtime->state().masterAddress, ip("10.0.0.2"));

    config::VrrpInstance other = config;
    other.vips[0].prefix = *IpPrefix::parse("10.0.0.200/24");
    runtime->reconfigure(other, paramsFor(other, ip("10.0.0.1")), seconds(2));
    dispatcher.receiveIpv4(peerAdvert(200), loop.now());
    EXPECT_EQ(runtime->counters().rejected(RejectReason::AddressListMismatch), strict ? 1u : 0u)
        << "strict " << strict;
    runtime->stop();
  }
}

}  // namespace
}  // namespace vigil::vrrp
