#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

// The RFC 6527 counters InstanceRuntime keeps for the metrics and SNMP.
namespace vigil::vrrp {
namespace {

using fakes::NullAcceptFilter;
using fakes::NullAnnouncer;
using fakes::NullNotifier;
using fakes::NullVips;
using std::chrono::seconds;
using test::instanceConfig;
using test::ip;
using test::peerAdvert;

// Keeps the priority of every advert sent, to see the resigning one.
struct RecordingSender final : AdvertSender {
  void prepare(const VrrpPacket& packet) override { priority = packet.priority; }
  Status send() override {
    priorities.push_back(priority);
    return {};
  }
  uint8_t priority = 0;
  std::vector<uint8_t> priorities;
};

TEST(InstanceCountersTest, CountsTakeoversAndPriorityZeroAdvertsBothWays) {
  SimulatedLoop loop;
  RecordingSender sender;
  NullVips vips;
  NullAnnouncer gratuitous;
  NullNotifier notifier;
  NullAcceptFilter accept;
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
