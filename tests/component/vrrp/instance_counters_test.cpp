#include <gtest/gtest.h>

#include <chrono>

#include "core/simulated_loop.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

// The RFC 6527 counters InstanceRuntime keeps for the metrics and SNMP.
namespace vigil::vrrp {
namespace {

using std::chrono::seconds;

struct NullSender final : AdvertSender {
  Status send(const VrrpPacket& packet) override {
    priorities.push_back(packet.priority);
    return {};
  }
  std::vector<uint8_t> priorities;
};
struct NullVips final : VipInstaller {
  void add(const std::vector<config::VirtualAddress>&, const std::string&,
           std::optional<Duration>) override {}
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {}
};
struct NullAnnouncer final : VipAnnouncer {
  void announce(const std::vector<config::VirtualAddress>&, const std::string&,
                GratuitousReason) override {}
};
struct NullNotifier final : TransitionNotifier {
  void notify(const config::VrrpInstance&, NotifyKind, uint8_t) override {}
};
struct NullAccept final : AcceptFilter {
  void block(const std::string&, const std::vector<IpAddress>&) override {}
  void unblock(const std::string&) override {}
};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

config::VrrpInstance instanceConfig() {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 51;
  c.priority = 100;
  c.version = 3;
  c.family = AF_INET;
  c.advertInterval = seconds(1);
  c.mcastDst = ip("224.0.0.18");
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("10.0.0.100/24");
  c.vips.push_back(vip);
  return c;
}

// An advert from a peer at 10.0.0.2 with `priority`.
std::vector<uint8_t> peerAdvert(uint8_t priority) {
  VrrpPacket p;
  p.version = 3;
  p.vrid = 51;
  p.priority = priority;
  p.advertInterval = Centiseconds(100);
  p.addresses = {ip("10.0.0.100")};
  Ipv4Header header;
  header.source = ip("10.0.0.2");
  header.destination = ip("224.0.0.18");
  std::vector<uint8_t> out(256);
  auto size = encodeIpv4Advert(header, p, out, {});
  EXPECT_TRUE(size.ok());
  out.resize(size.ok() ? *size : 0);
  return out;
}

TEST(InstanceCountersTest, CountsTakeoversAndPriorityZeroAdvertsBothWays) {
  SimulatedLoop loop;
  NullSender sender;
  NullVips vips;
  NullAnnouncer gratuitous;
  NullNotifier notifier;
  NullAccept accept;
  AdvertDispatcher dispatcher;
  const config::VrrpInstance config = instanceConfig();
  InstanceRuntime runtime(loop, config, paramsFor(config, ip("10.0.0.1"), {}),
                          RuntimeIo{sender, vips, gratuitous, notifier, &accept}, std::nullopt);
  dispatcher.add(&runtime);
  runtime.start();
  dispatcher.receiveIpv4(peerAdvert(200), loop.now());
  // The peer resigns: a Backup takes over after Skew_Time.
  dispatcher.receiveIpv4(peerAdvert(0), loop.now());
  loop.advance(seconds(1));
  ASSERT_EQ(runtime.state().state, State::Master);
  runtime.stop();
  dispatcher.remove(&runtime);

  const InstanceCounters& c = runtime.counters();
  EXPECT_EQ(c.becameMaster, 1u);
  EXPECT_EQ(c.priorityZeroReceived, 1u);
  EXPECT_EQ(c.advertsReceived, 2u);
  ASSERT_FALSE(sender.priorities.empty());
  EXPECT_EQ(sender.priorities.back(), 0);
  EXPECT_EQ(c.priorityZeroSent, 1u);
  EXPECT_TRUE(c.lastTransitionWall.has_value());
}

}  // namespace
}  // namespace vigil::vrrp
