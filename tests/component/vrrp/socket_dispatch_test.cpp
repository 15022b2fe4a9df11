#include "vrrp/socket_dispatch.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "unit/vrrp/hex_vectors.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"

// What reaches an instance through the dispatcher: the TTL rule keepalived
// applies to unicast peers, and adverts behind keepalived's AH header
// (captured from keepalived 2.2.7, tests/data/vrrp/v2_ah.hex).
namespace vigil::vrrp {
namespace {

using std::chrono::seconds;

using fakes::NullAnnouncer;
using fakes::NullNotifier;
using fakes::NullSender;
using fakes::NullVips;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// keepalived's IPv6 unicast instance: fd00:91::2 to fd00:91::1.
config::VrrpInstance ipv6UnicastConfig() {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 61;
  c.priority = 100;
  c.version = 3;
  c.family = AF_INET6;
  c.advertInterval = seconds(1);
  c.mcastDst = ip("ff02::12");
  c.unicast = true;
  config::UnicastPeer peer;
  peer.address = ip("fd00:91::2");
  c.unicastPeers.push_back(peer);
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("fd00:91::100/64");
  c.vips.push_back(vip);
  return c;
}

// The instance keepalived's v2_ah.hex capture was sent to.
config::VrrpInstance ahConfig(const char* password) {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "v0";
  c.vrid = 53;
  c.priority = 100;
  c.version = 2;
  c.family = AF_INET;
  c.advertInterval = seconds(1);
  c.mcastDst = ip("224.0.0.18");
  c.auth.type = config::VrrpAuthType::Ah;
  c.auth.password = password;
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("10.9.0.103/24");
  c.vips.push_back(vip);
  return c;
}

class AdvertDispatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<InstanceRuntime> make(const config::VrrpInstance& config, const IpAddress& self) {
    return std::make_unique<InstanceRuntime>(loop, config, paramsFor(config, self, {}),
                                             RuntimeIo{sender, vips, announcer, notifier},
                                             std::nullopt);
  }
  void create(const config::VrrpInstance& config, const IpAddress& self) {
    runtime = make(config, self);
    dispatcher.add(runtime.get());
    runtime->start();
  }
  void TearDown() override {
    if (runtime) dispatcher.remove(runtime.get());
  }

  // A v3 advert from keepalived's end of the IPv6 unicast pair, with the
  // hop limit it arrived with.
  void receiveIpv6Unicast(uint8_t hopLimit, const IpAddress& destination = ip("fd00:91::1"),
                          const IpAddress& source = ip("fd00:91::2"), uint8_t vrid = 61) {
    VrrpPacket p;
    p.vrid = vrid;
    p.priority = 200;
    p.addresses = {ip("fd00:91::100")};
    std::vector<uint8_t> out(256);
    auto size = encode(p, out, {source, destination});
    ASSERT_TRUE(size.ok());
    out.resize(*size);
    dispatcher.receiveIpv6(out, source, destination, hopLimit, loop.now());
  }

  SimulatedLoop loop;
  NullSender sender;
  NullVips vips;
  NullAnnouncer announcer;
  NullNotifier notifier;
  AdvertDispatcher dispatcher;
  std::unique_ptr<InstanceRuntime> runtime;
};

// keepalived sends IPv6 unicast adverts with the kernel's default hop
// limit (64 here) unless unicast_ttl is set, and accepts any TTL from a
// unicast peer without min_ttl/max_ttl.
TEST_F(AdvertDispatcherTest, UnicastPeerWithoutTtlRangeIsAcceptedAtAnyHopLimit) {
  create(ipv6UnicastConfig(), ip("fd00:91::1"));
  receiveIpv6Unicast(64);
  receiveIpv6Unicast(1);
  EXPECT_EQ(runtime->counters().advertsReceived, 2u);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::BadTtl), 0u);
  EXPECT_EQ(runtime->state().state, State::Backup);
  EXPECT_EQ(runtime->state().masterAddress, ip("fd00:91::2"));
}

TEST_F(AdvertDispatcherTest, UnicastPeerTtlRangeBoundsTheHopLimit) {
  config::VrrpInstance config = ipv6UnicastConfig();
  config.unicastPeers[0].minTtl = 60;
  create(config, ip("fd00:91::1"));
  receiveIpv6Unicast(59);
  receiveIpv6Unicast(64);
  receiveIpv6Unicast(255);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::BadTtl), 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 2u);
}

TEST_F(AdvertDispatcherTest, MaxTtlAloneLeavesNoLowerBound) {
  config::VrrpInstance config = ipv6UnicastConfig();
  config.unicastPeers[0].maxTtl = 64;
  create(config, ip("fd00:91::1"));
  receiveIpv6Unicast(1);
  receiveIpv6Unicast(64);
  receiveIpv6Unicast(65);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::BadTtl), 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 2u);
}

// RFC 5798 §7.1: a multicast advert must arrive with 255, unicast mode or not.
TEST_F(AdvertDispatcherTest, MulticastAdvertStillNeedsHopLimit255) {
  config::VrrpInstance config = ipv6UnicastConfig();
  config.unicast = false;
  config.unicastPeers.clear();
  create(config, ip("fe80::1"));
  receiveIpv6Unicast(64, ip("ff02::12"));
  EXPECT_EQ(runtime->counters().rejected(RejectReason::BadTtl), 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);
}

TEST_F(AdvertDispatcherTest, KeepalivedAhAdvertReachesTheInstanceWithTheRightKey) {
  create(ahConfig("ahkey"), ip("10.9.0.2"));
  for (const auto& packet : testing::loadHexPackets("v2_ah.hex")) {
    dispatcher.receiveIpv4(packet, loop.now());
  }
  EXPECT_EQ(runtime->counters().advertsReceived, 3u);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::AuthMismatch), 0u);
}

TEST_F(AdvertDispatcherTest, KeepalivedAhAdvertWithAnotherKeyIsAnAuthMismatch) {
  create(ahConfig("ahkez"), ip("10.9.0.2"));
  dispatcher.receiveIpv4(testing::loadHexPackets("v2_ah.hex").at(0), loop.now());
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);
  EXPECT_EQ(runtime->counters().rejected(RejectReason::AuthMismatch), 1u);
}

TEST_F(AdvertDispatcherTest, AnUnknownVridFindsNoInstanceAndIsCountedHere) {
  create(ipv6UnicastConfig(), ip("fd00:91::1"));
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::2")), runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::9")), runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(62, ip("fd00:91::2")), nullptr);
  EXPECT_EQ(dispatcher.findByVrid(0, ip("fd00:91::2")), nullptr);
  EXPECT_EQ(dispatcher.findByVrid(255, ip("fd00:91::2")), nullptr);

  receiveIpv6Unicast(255, ip("fd00:91::1"), ip("fd00:91::2"), /*vrid=*/62);
  EXPECT_EQ(dispatcher.rejected(RejectReason::VridMismatch), 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);

  dispatcher.remove(runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::2")), nullptr);
  EXPECT_TRUE(dispatcher.empty());
  runtime.reset();
}

// Two unicast instances on one interface may share a VRID: the advert goes
// to the one whose unicast_peer sent it, and to the first added otherwise.
TEST_F(AdvertDispatcherTest, ASharedVridIsDecidedByTheSource) {
  config::VrrpInstance firstConfig = ipv6UnicastConfig();
  config::VrrpInstance secondConfig = ipv6UnicastConfig();
  secondConfig.name = "VI_2";
  secondConfig.unicastPeers[0].address = ip("fd00:91::3");
  create(firstConfig, ip("fd00:91::1"));
  std::unique_ptr<InstanceRuntime> second = make(secondConfig, ip("fd00:91::1"));
  dispatcher.add(second.get());
  second->start();

  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::2")), runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::3")), second.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::9")), runtime.get());

  receiveIpv6Unicast(64, ip("fd00:91::1"), ip("fd00:91::3"));
  EXPECT_EQ(second->counters().advertsReceived, 1u);
  EXPECT_EQ(runtime->counters().advertsReceived, 0u);

  // Removing the first leaves the second to take every advert of the VRID.
  dispatcher.remove(runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::9")), second.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::2")), second.get());
  dispatcher.remove(second.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::3")), nullptr);

  // Added back in the other order, the second is the default.
  dispatcher.add(second.get());
  dispatcher.add(runtime.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::9")), second.get());
  EXPECT_EQ(dispatcher.findByVrid(61, ip("fd00:91::2")), runtime.get());
  dispatcher.remove(second.get());
}

}  // namespace
}  // namespace vigil::vrrp
