// NetlinkRoutingDumper against a real kernel in a namespace, and the diff
// on what it read: entries present as the kernel keeps them (a multipath
// route, an IPv6 route without metric, a rule with a mark and one without a
// preference) are found; only the absent one is missing.
#include <gtest/gtest.h>
#include <net/if.h>

#include <chrono>
#include <optional>

#include "config/loader.h"
#include "core/netlink/netlink_routing_dumper.h"
#include "core/posix_event_loop.h"
#include "integration/netlink/veth_lab.h"
#include "vrrp/route_spec.h"
#include "vrrp/routing_entries.h"
#include "vrrp/routing_resync.h"
#include "vrrp/rule_spec.h"

namespace vigil::netlink {
namespace {

using namespace std::chrono_literals;

constexpr uint8_t kKeepalived = kRouteProtocolKeepalived;

std::optional<Result<RoutingDump>> dumpNow(PosixEventLoop& loop, const DumpRequest& request) {
  NetlinkRoutingDumper dumper(loop);
  std::optional<Result<RoutingDump>> out;
  dumper.dump(request, [&](Result<RoutingDump> dump) { out = std::move(dump); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!out && std::chrono::steady_clock::now() < deadline) loop.runOnce(100ms);
  return out;
}

class NetlinkRoutingDumperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIGIL_REQUIRE_ROOT();
    ASSERT_TRUE(ns_.ok());
    const auto setUp = ns_.exec(
        "ip link set lo up && ip link add va type veth peer name vb && ip link set va up && "
        "ip link set vb up && ip addr add 10.70.1.1/24 dev va && "
        "ip -6 addr add 2001:db8:70::1/64 dev va nodad && "
        "ip route add 10.70.2.0/24 table 100 proto 18 metric 5 "
        "nexthop via 10.70.1.253 dev va nexthop via 10.70.1.254 dev va && "
        "ip route add 10.70.3.0/24 via 10.70.1.254 proto static && "
        "ip -6 route add 2001:db8:71::/64 via 2001:db8:70::fe dev va proto 18 && "
        "ip rule add from 10.70.2.0/24 fwmark 3 table 100 pref 500 proto 18 && "
        "ip rule add from 10.70.4.0/24 table 100 proto 18");
    ASSERT_EQ(setUp.exitCode, 0) << setUp.output;
  }

  test::NetNs ns_{"h3dmp"};
};

TEST_F(NetlinkRoutingDumperTest, ReadsWhatTheDiffFindsAndOnlyTheTablesAsked) {
  auto loaded = config::loadConfigText("t.conf",
                                       "static_ipaddress {\n  10.70.1.1/24 dev va\n}\n"
                                       "static_routes {\n"
                                       "  10.70.2.0/24 via 10.70.1.254 dev va table 100 metric 5\n"
                                       "  2001:db8:71::/64 via 2001:db8:70::fe dev va\n}\n"
                                       "static_rules {\n"
                                       "  from 10.70.2.0/24 fwmark 3 table 100 pref 500\n"
                                       "  from 10.70.4.0/24 table 100\n"
                                       "  from 10.70.5.0/24 table 100 pref 501\n}\n",
                                       config::LoadOptions{});
  ASSERT_TRUE(loaded.config);
  const config::VrrpModel& vrrp = loaded.config->vrrp;
  std::vector<vrrp::OwnedSpec> specs;
  specs.push_back(vrrp::staticAddressSpec(vrrp.staticAddresses[0], ""));
  for (const auto& route : vrrp.staticRoutes) specs.push_back(*vrrp::routeSpecFor(route));
  for (const auto& rule : vrrp.staticRules) specs.push_back(*vrrp::ruleSpecFor(rule));
  std::vector<const vrrp::OwnedSpec*> owned;
  for (const auto& spec : specs) owned.push_back(&spec);

  test::NetNsEnter enter(ns_);
  PosixEventLoop loop;
  DumpRequest request = vrrp::dumpRequestFor(owned);
  request.routes.insert({AF_INET, 200, kKeepalived});  // no such table: no route
  auto dump = dumpNow(loop, request);
  ASSERT_TRUE(dump) << "no answer in 5 s";
  ASSERT_TRUE(*dump) << dump->error().describe();

  for (const KernelRoute& route : (*dump)->routes) {
    EXPECT_EQ(route.protocol, kKeepalived);  // 10.70.3.0/24 proto static is not read
    EXPECT_NE(route.table, 200u);
  }
  EXPECT_EQ((*dump)->routes.size(), 2u);
  auto indexOf = [](const std::string& name) {
    return static_cast<int>(if_nametoindex(name.c_str()));
  };
  EXPECT_EQ(vrrp::missingEntries(owned, **dump, indexOf), std::vector<size_t>{5});

  // The rule without pref twice (a blind re-add would do that): still held.
  ASSERT_EQ(ns_.exec("ip rule add from 10.70.4.0/24 table 100 proto 18").exitCode, 0);
  auto again = dumpNow(loop, request);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(vrrp::missingEntries(owned, **again, indexOf), std::vector<size_t>{5});
}

}  // namespace
}  // namespace vigil::netlink
