// After lost deletion notifications: which owned entries a dump of the
// kernel no longer holds (missingEntries), and nothing more.
#include "vrrp/routing_resync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/fib_rules.h>

#include "unit/config/vrrp_test_support.h"
#include "vrrp/route_spec.h"
#include "vrrp/routing_entries.h"
#include "vrrp/rule_spec.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int kEth1 = 3;

int indexOf(const std::string& name) { return name == "eth1" ? kEth1 : 0; }

// The specs of static_ipaddress, static_routes and static_rules as written.
std::vector<OwnedSpec> owned(std::string_view addresses, std::string_view routes,
                             std::string_view rules) {
  auto loaded = config::testing::load("static_ipaddress {\n" + std::string(addresses) +
                                      "\n}\nstatic_routes {\n" + std::string(routes) +
                                      "\n}\nstatic_rules {\n" + std::string(rules) + "\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  std::vector<OwnedSpec> out;
  if (!loaded.config) return out;
  const config::VrrpModel& vrrp = loaded.config->vrrp;
  for (const auto& address : vrrp.staticAddresses) out.push_back(staticAddressSpec(address, ""));
  for (const auto& route : vrrp.staticRoutes) out.push_back(*routeSpecFor(route));
  for (const auto& rule : vrrp.staticRules) out.push_back(*ruleSpecFor(rule));
  return out;
}

std::vector<size_t> missing(const std::vector<OwnedSpec>& specs,
                            const netlink::RoutingDump& kernel) {
  std::vector<const OwnedSpec*> pointers;
  for (const OwnedSpec& spec : specs) pointers.push_back(&spec);
  return missingEntries(pointers, kernel, indexOf);
}

netlink::InstalledAddress address(std::string_view prefix, int ifindex = kEth1) {
  netlink::InstalledAddress out;
  out.ifindex = ifindex;
  out.address = *IpPrefix::parse(prefix);
  return out;
}

// A route as the kernel dumps it, proto keepalived in table main.
netlink::KernelRoute route(std::string_view destination, std::string_view via = "",
                           int ifindex = kEth1) {
  netlink::KernelRoute out;
  out.destination = *IpPrefix::parse(destination);
  out.protocol = netlink::kRouteProtocolKeepalived;
  netlink::KernelNextHop hop;
  if (!via.empty()) hop.gateway = IpAddress::parse(via);
  hop.ifindex = ifindex;
  out.nextHops.push_back(hop);
  return out;
}

// A rule as the kernel dumps it: a preference always, FRA_TABLE always,
// FRA_SUPPRESS_PREFIXLEN -1 when unused.
netlink::RuleSpec rule(std::string_view from, uint32_t table, uint32_t priority) {
  netlink::RuleSpec out;
  if (!from.empty()) out.source = IpPrefix::parse(from);
  out.table = table;
  out.priority = priority;
  out.suppressPrefixLength = 0xFFFFFFFFu;
  return out;
}

TEST(RoutingResyncTest, NothingMissingNothingToDo) {
  const auto specs = owned("10.9.1.1/24 dev eth1", "10.9.2.0/24 via 10.9.1.254 dev eth1",
                           "from 10.9.2.0/24 table 100 pref 500");
  netlink::RoutingDump kernel;
  kernel.addresses = {address("192.0.2.1/24", 2), address("10.9.1.1/24")};
  kernel.routes = {route("10.9.2.0/24", "10.9.1.254")};
  kernel.rules = {rule("", RT_TABLE_LOCAL, 0), rule("10.9.2.0/24", 100, 500)};
  EXPECT_THAT(missing(specs, kernel), IsEmpty());
}

TEST(RoutingResyncTest, AnAddressIsHeldOnlyOnItsInterfaceWithItsLength) {
  const auto specs = owned("10.9.1.1/24 dev eth1", "", "");
  netlink::RoutingDump kernel;
  kernel.addresses = {address("10.9.1.1/24", 2), address("10.9.1.1/25")};
  EXPECT_THAT(missing(specs, kernel), ElementsAre(0u));
  // On an interface the worker cannot find, an address is never held.
  EXPECT_THAT(missing(owned("10.9.1.1/24 dev eth9", "", ""), {{address("10.9.1.1/24", 0)}, {}, {}}),
              ElementsAre(0u));
}

TEST(RoutingResyncTest, ARouteIsHeldOnlyWithItsTableMetricAndGateway) {
  const auto specs = owned("", "10.9.2.0/24 via 10.9.1.254 dev eth1 table 100 metric 7", "");
  netlink::KernelRoute right = route("10.9.2.0/24", "10.9.1.254");
  right.table = 100;
  right.metric = 7;
  for (auto change : std::vector<std::function<void(netlink::KernelRoute&)>>{
           [](auto& r) { r.table = RT_TABLE_MAIN; },
           [](auto& r) { r.metric = 0; },
           [](auto& r) { r.nextHops[0].gateway = IpAddress::parse("10.9.1.253"); },
           [](auto& r) { r.nextHops[0].ifindex = 2; },
           [](auto& r) { r.protocol = RTPROT_STATIC; },
           [](auto& r) { r.type = RTN_BLACKHOLE; },
           [](auto& r) { r.destination = *IpPrefix::parse("10.9.2.0/25"); },
       }) {
    netlink::KernelRoute other = right;
    change(other);
    EXPECT_THAT(missing(specs, {{}, {other}, {}}), ElementsAre(0u));
  }
  EXPECT_THAT(missing(specs, {{}, {right}, {}}), IsEmpty());
}

TEST(RoutingResyncTest, AMultipathRouteHoldsARouteThroughOneOfItsHops) {
  const auto specs = owned("", "10.9.2.0/24 via 10.9.1.254 dev eth1", "");
  netlink::KernelRoute multipath = route("10.9.2.0/24", "10.9.1.253");
  multipath.nextHops.push_back({IpAddress::parse("10.9.1.254"), kEth1});
  EXPECT_THAT(missing(specs, {{}, {multipath}, {}}), IsEmpty());
}

TEST(RoutingResyncTest, AnIpv6RouteWithoutMetricIsHeldAtTheKernels1024) {
  const auto specs = owned("", "2001:db8:9::/64 via 2001:db8::1 dev eth1", "");
  netlink::KernelRoute held = route("2001:db8:9::/64", "2001:db8::1");
  held.metric = 1024;
  EXPECT_THAT(missing(specs, {{}, {held}, {}}), IsEmpty());
  held.metric = 0;
  EXPECT_THAT(missing(specs, {{}, {held}, {}}), ElementsAre(0u));
}

TEST(RoutingResyncTest, ARuleIsHeldOnlyWithItsPreferenceAndSelectors) {
  const auto specs = owned("", "",
                           "from 10.9.2.0/24 to 10.7.0.0/16 fwmark 3 iif eth1 ip_proto 6 dport 80 "
                           "table 100 pref 500");
  netlink::RuleSpec right = rule("10.9.2.0/24", 100, 500);
  right.destination = IpPrefix::parse("10.7.0.0/16");
  right.fwmark = 3;
  right.fwmask = 0xFFFFFFFFu;  // the kernel's mask beside a mark given without one
  right.iif = "eth1";
  right.ipProto = 6;
  right.dport = netlink::RuleSpec::Range{80, 80};
  EXPECT_THAT(missing(specs, {{}, {}, {right}}), IsEmpty());
  for (auto change : std::vector<std::function<void(netlink::RuleSpec&)>>{
           [](auto& r) { r.priority = 501; },
           [](auto& r) { r.table = 101; },
           [](auto& r) { r.fwmask = 0xFFu; },
           [](auto& r) { r.iif = "eth2"; },
           [](auto& r) { r.dport.reset(); },
           [](auto& r) { r.destination.reset(); },
           [](auto& r) { r.family = AF_INET6; },
           [](auto& r) { r.protocol = RTPROT_STATIC; },
           [](auto& r) { r.action = FR_ACT_BLACKHOLE; },
       }) {
    netlink::RuleSpec other = right;
    change(other);
    EXPECT_THAT(missing(specs, {{}, {}, {other}}), ElementsAre(0u));
  }
}

TEST(RoutingResyncTest, ARuleWithoutPreferenceIsHeldAtTheOneTheKernelPicked) {
  const auto specs = owned("", "", "from 10.9.2.0/24 table 100");
  EXPECT_THAT(missing(specs, {{}, {}, {rule("10.9.2.0/24", 100, 32765)}}), IsEmpty());
  EXPECT_THAT(missing(specs, {{}, {}, {rule("10.9.3.0/24", 100, 32765)}}), ElementsAre(0u));
}

TEST(RoutingResyncTest, AnEntryHeldTwiceIsHeldAndNotAddedAgain) {
  const auto specs = owned("10.9.1.1/24 dev eth1", "10.9.2.0/24 via 10.9.1.254 dev eth1",
                           "from 10.9.2.0/24 table 100\nfrom 10.9.4.0/24 table 100 pref 9");
  netlink::RoutingDump kernel;
  kernel.addresses = {address("10.9.1.1/24"), address("10.9.1.1/24")};
  kernel.routes = {route("10.9.2.0/24", "10.9.1.254"), route("10.9.2.0/24", "10.9.1.254")};
  kernel.rules = {rule("10.9.2.0/24", 100, 32765), rule("10.9.2.0/24", 100, 32764),
                  rule("10.9.4.0/24", 100, 9), rule("10.9.4.0/24", 100, 9)};
  EXPECT_THAT(missing(specs, kernel), IsEmpty());
}

TEST(RoutingResyncTest, OnlyTheMissingOnesAreNamedInOrder) {
  const auto specs =
      owned("10.9.1.1/24 dev eth1\n10.9.3.1/24 dev eth1",
            "10.9.2.0/24 via 10.9.1.254 dev eth1\nblackhole 10.8.0.0/16 table 100",
            "from 10.9.2.0/24 table 100 pref 500\nfrom 10.9.5.0/24 table 100 pref 501");
  netlink::RoutingDump kernel;
  kernel.addresses = {address("10.9.3.1/24")};
  netlink::KernelRoute blackhole;
  blackhole.destination = *IpPrefix::parse("10.8.0.0/16");
  blackhole.table = 100;
  blackhole.type = RTN_BLACKHOLE;
  blackhole.protocol = netlink::kRouteProtocolKeepalived;
  kernel.routes = {blackhole};
  kernel.rules = {rule("10.9.5.0/24", 100, 501)};
  EXPECT_THAT(missing(specs, kernel), ElementsAre(0u, 2u, 4u));
}

TEST(RoutingResyncTest, DumpsOnlyTheFamiliesAndTablesInUse) {
  const auto specs = owned("10.9.1.1/24 dev eth1",
                           "10.9.2.0/24 via 10.9.1.254 dev eth1\nblackhole 10.8.0.0/16 table 100\n"
                           "blackhole 10.7.0.0/16 table 100\n2001:db8:9::/64 dev eth1 proto static",
                           "inet6 from all fwmark 3 table 100 pref 9");
  std::vector<const OwnedSpec*> pointers;
  for (const OwnedSpec& spec : specs) pointers.push_back(&spec);
  const netlink::DumpRequest request = dumpRequestFor(pointers);
  EXPECT_EQ(request.addressFamilies, std::set<int>{AF_INET});
  const uint8_t keepalived = netlink::kRouteProtocolKeepalived;
  EXPECT_EQ(request.routes,
            (std::set<netlink::DumpRequest::Routes>{{AF_INET, RT_TABLE_MAIN, keepalived},
                                                    {AF_INET, 100, keepalived},
                                                    {AF_INET6, RT_TABLE_MAIN, RTPROT_STATIC}}));
  EXPECT_EQ(request.ruleFamilies, std::set<int>{AF_INET6});
  EXPECT_TRUE(dumpRequestFor({}).empty());
}

}  // namespace
}  // namespace vigil::vrrp
