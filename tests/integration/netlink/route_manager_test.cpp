#include <gtest/gtest.h>

#include "core/netlink/netlink_route_manager.h"
#include "integration/netlink/veth_lab.h"

namespace vigil::netlink {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(NetlinkRouteManager, AddsAndRemovesGatewayRoute) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  ASSERT_EQ(lab.left.exec("ip addr add 10.77.5.1/24 dev va").exitCode, 0);
  test::NetNsEnter enter(lab.left);
  auto mgr = NetlinkRouteManager::create();
  ASSERT_TRUE(mgr);

  RouteSpec route;
  route.destination = *IpPrefix::parse("10.88.0.0/16");
  route.gateway = IpAddress::parse("10.77.5.2");
  route.device = InterfaceRef{"va"};
  route.source = IpAddress::parse("10.77.5.1");
  route.metric = 50;
  Status added = mgr->add(route);
  ASSERT_TRUE(added) << added.error().describe();
  std::string shown = lab.left.exec("ip route show 10.88.0.0/16").output;
  EXPECT_TRUE(has(shown, "via 10.77.5.2 dev va")) << shown;
  EXPECT_TRUE(has(shown, "src 10.77.5.1")) << shown;
  EXPECT_TRUE(has(shown, "metric 50")) << shown;
  EXPECT_TRUE(mgr->add(route)) << "re-adding replaces";

  ASSERT_TRUE(mgr->remove(route));
  EXPECT_EQ(lab.left.exec("ip route show 10.88.0.0/16").output, "");
  Status again = mgr->remove(route);
  ASSERT_FALSE(again);
  EXPECT_TRUE(has(again.error().message, "10.88.0.0/16 via 10.77.5.2"));
}

TEST(NetlinkRouteManager, TypedRoutesInOtherTables) {
  VIGIL_REQUIRE_ROOT();
  test::NetNs ns;
  ASSERT_TRUE(ns.ok());
  test::NetNsEnter enter(ns);
  auto mgr = NetlinkRouteManager::create();
  ASSERT_TRUE(mgr);

  RouteSpec blackhole;
  blackhole.destination = *IpPrefix::parse("10.99.0.0/16");
  blackhole.type = RouteType::Blackhole;
  blackhole.table = 100;
  RouteSpec unreachable;
  unreachable.destination = *IpPrefix::parse("fd00:99::/48");
  unreachable.type = RouteType::Unreachable;
  ASSERT_TRUE(mgr->add(blackhole));
  Status added = mgr->add(unreachable);
  ASSERT_TRUE(added) << added.error().describe();

  EXPECT_TRUE(has(ns.exec("ip route show table 100").output, "blackhole 10.99.0.0/16"));
  EXPECT_TRUE(has(ns.exec("ip -6 route show").output, "unreachable fd00:99::/48"));
  ASSERT_TRUE(mgr->remove(blackhole));
  ASSERT_TRUE(mgr->remove(unreachable));
  EXPECT_FALSE(has(ns.exec("ip route show table 100").output, "10.99.0.0/16"));
  EXPECT_FALSE(has(ns.exec("ip -6 route show").output, "fd00:99::/48"));
}

// IPv6 merges gateway routes to one destination at one metric into one
// multipath route: a second hop joins the first instead of replacing it,
// adding a hop that is there succeeds and keeps the other, and removing one
// hop leaves the other.
TEST(NetlinkRouteManager, Ipv6HopsToOneDestinationStayTogether) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  ASSERT_EQ(lab.left
                .exec("ip link add vc type veth peer name vd && ip link set vc up && "
                      "ip link set vd up")
                .exitCode,
            0);
  test::NetNsEnter enter(lab.left);
  auto mgr = NetlinkRouteManager::create();
  ASSERT_TRUE(mgr);
  RouteSpec first;
  first.destination = *IpPrefix::parse("2001:db8:9::/64");
  first.gateway = IpAddress::parse("fe80::1");
  first.device = InterfaceRef{"va"};
  RouteSpec second = first;
  second.gateway = IpAddress::parse("fe80::2");
  second.device = InterfaceRef{"vc"};
  const auto shown = [&] { return lab.left.exec("ip -6 route show 2001:db8:9::/64").output; };

  Status added = mgr->add(first);
  ASSERT_TRUE(added) << added.error().describe();
  added = mgr->add(second);
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_TRUE(has(shown(), "nexthop via fe80::1 dev va")) << shown();
  EXPECT_TRUE(has(shown(), "nexthop via fe80::2 dev vc")) << shown();

  added = mgr->add(first);  // as a MASTER's refresh or a restore does
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_TRUE(has(shown(), "via fe80::1 dev va")) << shown();
  EXPECT_TRUE(has(shown(), "via fe80::2 dev vc")) << shown();

  ASSERT_EQ(lab.left.exec("ip -6 route del 2001:db8:9::/64 via fe80::1 dev va").exitCode, 0);
  added = mgr->add(first);
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_TRUE(has(shown(), "via fe80::1 dev va")) << shown();
  EXPECT_TRUE(has(shown(), "via fe80::2 dev vc")) << shown();

  ASSERT_TRUE(mgr->remove(second));
  EXPECT_TRUE(has(shown(), "via fe80::1 dev va")) << shown();
  EXPECT_FALSE(has(shown(), "fe80::2")) << shown();
  ASSERT_TRUE(mgr->remove(first));
  EXPECT_EQ(shown(), "");
}

}  // namespace
}  // namespace vigil::netlink
