// virtual_routes entries as the kernel gets them: typed fields, `ip route`'s
// defaults, and the kept-as-written options vigil applies or refuses.
#include "vrrp/route_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include "unit/config/vrrp_test_support.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The routes of an instance whose virtual_routes block holds `lines`.
std::vector<config::VirtualRoute> routes(std::string_view lines) {
  auto loaded = config::testing::load(
      "vrrp_instance A {\n  interface eth0\n  virtual_router_id 5\n"
      "  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  virtual_routes {\n" +
      std::string(lines) + "\n  }\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), ::testing::IsEmpty());
  return loaded.config ? loaded.config->vrrp.instances.at(0).routes
                       : std::vector<config::VirtualRoute>{};
}

// `lines` must hold exactly one route.
Result<netlink::RouteSpec> specOf(std::string_view line) {
  auto found = routes(line);
  EXPECT_EQ(found.size(), 1u);
  auto tables = [](std::string_view name) -> std::optional<uint32_t> {
    if (name == "vips") return 1000;
    return std::nullopt;
  };
  return found.empty() ? Result<netlink::RouteSpec>(Error{EINVAL, "none"})
                       : routeSpecFor(found.front(), tables);
}

TEST(RouteSpecTest, GatewayRouteWithSourceMetricAndTable) {
  auto spec = specOf("src 10.0.0.1 to 192.168.109.0/24 via 10.0.0.254 dev eth1 metric 5 table 100");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_EQ(spec->destination.toString(), "192.168.109.0/24");
  EXPECT_EQ(spec->gateway->toString(), "10.0.0.254");
  EXPECT_EQ(spec->device->name, "eth1");
  EXPECT_EQ(spec->source->toString(), "10.0.0.1");
  EXPECT_EQ(spec->metric, 5u);
  EXPECT_EQ(spec->table, 100u);
  EXPECT_EQ(spec->scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(spec->protocol, RTPROT_KEEPALIVED);  // as keepalived: not networkd's static
  EXPECT_EQ(spec->type, netlink::RouteType::Unicast);
  EXPECT_EQ(spec->describe(),
            "192.168.109.0/24 via 10.0.0.254 dev eth1 src 10.0.0.1 table 100 metric 5");
}

TEST(RouteSpecTest, ScopeDefaultsAsIpRouteDoes) {
  auto onLink = specOf("192.168.111.0/24 dev eth2");
  auto local = specOf("local 192.168.115.1/32 dev eth2");
  auto viaGateway = specOf("192.168.112.0/24 via 10.0.0.254");
  auto blackhole = specOf("blackhole 192.168.114.0/24");
  ASSERT_TRUE(onLink && local && viaGateway && blackhole);
  EXPECT_EQ(onLink->scope, RT_SCOPE_LINK);
  EXPECT_EQ(local->scope, RT_SCOPE_HOST);
  EXPECT_EQ(viaGateway->scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(blackhole->scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(blackhole->type, netlink::RouteType::Blackhole);
  EXPECT_FALSE(blackhole->device);
  EXPECT_EQ(blackhole->describe(), "blackhole 192.168.114.0/24");
}

TEST(RouteSpecTest, NamedScopeProtocolAndTables) {
  auto spec = specOf("192.168.112.0/24 gw 10.0.0.254 scope link protocol bird table vips");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_EQ(spec->scope, RT_SCOPE_LINK);
  EXPECT_EQ(spec->protocol, 12);
  EXPECT_EQ(spec->table, 1000u);
  auto main = specOf("unreachable 192.168.116.0/24 table main proto static");
  ASSERT_TRUE(main);
  EXPECT_EQ(main->table, static_cast<uint32_t>(RT_TABLE_MAIN));
  EXPECT_EQ(main->protocol, RTPROT_STATIC);
  EXPECT_EQ(main->type, netlink::RouteType::Unreachable);
  EXPECT_EQ(main->describe(), "unreachable 192.168.116.0/24 proto static");
}

TEST(RouteSpecTest, AppliedOptions) {
  auto spec = specOf(
      "192.168.200.0/24 via 10.9.9.9 dev eth1 onlink tos 0x04 mtu 1000 ssthresh lock 107 "
      "features ecn");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_TRUE(spec->onLink);
  EXPECT_EQ(spec->tos, 4);
  EXPECT_THAT(spec->metrics,
              ElementsAre(Pair(RTAX_MTU, 1000u), Pair(RTAX_SSTHRESH, 107u),
                          Pair(RTAX_FEATURES, static_cast<uint32_t>(RTAX_FEATURE_ECN)),
                          Pair(RTAX_LOCK, 1u << RTAX_SSTHRESH)));
}

TEST(RouteSpecTest, IPv6DefaultRoute) {
  auto spec = specOf("inet6 default via fd00::1 dev eth0 metric 7");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_EQ(spec->destination.toString(), "::/0");
  EXPECT_EQ(spec->gateway->toString(), "fd00::1");
  EXPECT_EQ(spec->metric, 7u);
}

TEST(RouteSpecTest, OptionsVigilDoesNotApplyRefuseTheRoute) {
  auto multipath = specOf("192.168.113.0/24 nexthop via 10.0.0.1 dev eth0 nexthop via 10.0.0.2");
  ASSERT_FALSE(multipath);
  EXPECT_THAT(multipath.error().message, HasSubstr("'nexthop' is not applied"));
  auto realms = specOf("192.168.113.0/24 dev eth0 realms 3");
  ASSERT_FALSE(realms);
  EXPECT_THAT(realms.error().message, HasSubstr("192.168.113.0/24"));
  auto table = specOf("192.168.113.0/24 dev eth0 table small");  // gone since the load
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("unknown table 'small'"));
  auto nat = specOf("nat 192.168.113.0/24 via 10.0.0.2");
  EXPECT_FALSE(nat);
}

}  // namespace
}  // namespace vigil::vrrp
