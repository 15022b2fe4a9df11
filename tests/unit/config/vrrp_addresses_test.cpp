// virtual_ipaddress / virtual_routes / virtual_rules entries and their
// static_* counterparts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using testing::errors;
using ::testing::IsEmpty;
using testing::load;

// The instance's VIPs, routes and rules after loading `blocks` inside it.
VrrpInstance withBlocks(std::string_view blocks) {
  auto r = load("vrrp_instance A {\n  interface eth0\n  virtual_router_id 5\n" +
                std::string(blocks) + "}\n");
  EXPECT_THAT(errors(r), IsEmpty());
  return r.config ? r.config->vrrp.instances.at(0) : VrrpInstance{};
}

TEST(VrrpAddressesTest, VipWithEveryOption) {
  VrrpInstance inst = withBlocks(R"(  virtual_ipaddress {
    192.168.200.18/24 brd 192.168.200.255 dev eth2 scope link label eth2:1 no_track
    192.168.200.19 brd + peer 192.168.200.1/32 home -nodad mngtmpaddr noprefixroute autojoin
    192.168.200.20 brd - use_vmac preferred_lft forever
    192.168.200.21 preferred_lft 30
  }
)");
  ASSERT_EQ(inst.vips.size(), 4u);
  const VirtualAddress& a = inst.vips[0];
  EXPECT_EQ(a.prefix.toString(), "192.168.200.18/24");
  EXPECT_EQ(a.broadcastMode, VirtualAddress::Broadcast::Address);
  EXPECT_EQ(a.broadcast.toString(), "192.168.200.255");
  EXPECT_EQ(a.dev, "eth2");
  EXPECT_EQ(a.scope, "link");
  EXPECT_EQ(a.label, "eth2:1");
  EXPECT_TRUE(a.noTrack);
  EXPECT_EQ(a.pos.line, 5u);
  EXPECT_EQ(a.pos.col, 5u);
  const VirtualAddress& b = inst.vips[1];
  EXPECT_EQ(b.prefix.length, 32u);
  EXPECT_EQ(b.broadcastMode, VirtualAddress::Broadcast::SetHostBits);
  ASSERT_TRUE(b.peer);
  EXPECT_EQ(b.peer->toString(), "192.168.200.1/32");
  EXPECT_TRUE(b.home);
  EXPECT_TRUE(b.noDad);
  EXPECT_TRUE(b.mngTmpAddr);
  EXPECT_TRUE(b.noPrefixRoute);
  EXPECT_TRUE(b.autoJoin);
  EXPECT_EQ(b.scope, "global");
  EXPECT_EQ(inst.vips[2].broadcastMode, VirtualAddress::Broadcast::ClearHostBits);
  EXPECT_TRUE(inst.vips[2].useVmac);
  EXPECT_EQ(inst.vips[2].preferredLft, std::optional<uint32_t>(VirtualAddress::kForever));
  EXPECT_EQ(inst.vips[3].preferredLft, std::optional<uint32_t>(30));
}

TEST(VrrpAddressesTest, ExcludedVipsMayMixFamilies) {
  VrrpInstance inst = withBlocks(R"(  virtual_ipaddress {
    10.0.0.1/24
  }
  virtual_ipaddress_excluded {
    2001:db8::1/64 dev eth1
    10.0.0.2
  }
)");
  EXPECT_EQ(inst.family, AF_INET);
  ASSERT_EQ(inst.excludedVips.size(), 2u);
  EXPECT_EQ(inst.excludedVips[0].prefix.toString(), "2001:db8::1/64");
}

TEST(VrrpAddressesTest, RoutesTypeTheCommonFieldsAndKeepTheRest) {
  VrrpInstance inst = withBlocks(R"(  virtual_ipaddress {
    10.0.0.1
  }
  virtual_routes {
    src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev eth1 metric 5 table 100
    blackhole 192.168.114.0/24
    192.168.112.0/24 gw 192.168.100.254 scope link protocol bird no_track
    192.168.200.0/24 dev eth1 mtu 1000 ssthresh lock 107 onlink
    default via 10.0.0.254
    192.168.113.0/24 nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via 10.0.0.2
  }
)");
  ASSERT_EQ(inst.routes.size(), 6u);
  const VirtualRoute& r0 = inst.routes[0];
  EXPECT_EQ(r0.to.toString(), "192.168.109.0/24");
  EXPECT_EQ(r0.src->toString(), "192.168.100.1");
  EXPECT_EQ(r0.via->toString(), "192.168.200.254");
  EXPECT_EQ(r0.dev, "eth1");
  EXPECT_EQ(r0.metric, std::optional<uint32_t>(5));
  EXPECT_EQ(r0.table, "100");
  EXPECT_EQ(inst.routes[1].type, "blackhole");
  EXPECT_EQ(inst.routes[1].to.toString(), "192.168.114.0/24");
  EXPECT_EQ(inst.routes[2].via->toString(), "192.168.100.254");
  EXPECT_EQ(inst.routes[2].scope, "link");
  EXPECT_EQ(inst.routes[2].protocol, "bird");
  EXPECT_TRUE(inst.routes[2].noTrack);
  EXPECT_THAT(inst.routes[3].options,
              ElementsAre("mtu", "1000", "ssthresh", "lock", "107", "onlink"));
  EXPECT_EQ(inst.routes[4].to.toString(), "0.0.0.0/0");
  EXPECT_EQ(inst.routes[5].to.toString(), "192.168.113.0/24");
  EXPECT_THAT(inst.routes[5].options, ElementsAre("nexthop", "via", "10.0.0.1", "dev", "eth0",
                                                  "weight", "1", "nexthop", "via", "10.0.0.2"));
}

TEST(VrrpAddressesTest, Rules) {
  VrrpInstance inst = withBlocks(R"(  virtual_ipaddress {
    10.0.0.1
  }
  virtual_rules {
    from 192.168.28.0/24 to 192.168.29.0/26 table small iif p33p1 preference 39 no_track
    to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999
    from all fwmark 24/12 blackhole
    inet6 from all goto 40
  }
)");
  ASSERT_EQ(inst.rules.size(), 4u);
  const VirtualRule& r0 = inst.rules[0];
  EXPECT_EQ(r0.from->toString(), "192.168.28.0/24");
  EXPECT_EQ(r0.to->toString(), "192.168.29.0/26");
  EXPECT_EQ(r0.table, "small");
  EXPECT_EQ(r0.preference, std::optional<uint32_t>(39));
  EXPECT_TRUE(r0.noTrack);
  EXPECT_EQ(r0.iif, "p33p1");
  EXPECT_EQ(r0.family(), AF_INET);
  EXPECT_EQ(inst.rules[1].family(), AF_INET6);
  EXPECT_EQ(inst.rules[1].uidRange, (RuleRange{10000, 19999}));
  EXPECT_FALSE(inst.rules[2].from);
  EXPECT_EQ(inst.rules[2].fwmark, std::optional<uint32_t>(24));
  EXPECT_EQ(inst.rules[2].fwmask, std::optional<uint32_t>(12));
  EXPECT_EQ(inst.rules[2].action, VirtualRule::Action::Blackhole);
  EXPECT_EQ(inst.rules[3].family(), AF_INET6);
  EXPECT_EQ(inst.rules[3].action, VirtualRule::Action::Goto);
  EXPECT_EQ(inst.rules[3].gotoTarget, 40u);
}

// The route and rule forms keepalived.conf(5) shows, long lines included.
TEST(VrrpAddressesTest, EveryDocumentedRouteAndRuleFormParses) {
  auto r = load(R"(static_ipaddress {
    192.168.1.1/24 dev eth0 scope global
}
static_routes {
    192.168.2.0/24 via 192.168.1.100 dev eth0 track_group GROUP1
    192.168.100.0/24 table 6909 nexthop via 192.168.101.1 dev wlan0 onlink weight 1 nexthop via 192.168.101.2 dev wlan0 onlink weight 2
    192.168.200.0/24 dev p33p1.2 table 6909 tos 0x04 protocol bird scope link priority 12 mtu 1000 hoplimit 100 advmss 101 rtt 102 rttvar 103 reordering 104 window 105 cwnd 106 ssthresh lock 107 realms PQA/0x14 rto_min 108 initcwnd 109 initrwnd 110 vrf blue features ecn add
    2001:470:69e9:1:2::4 dev p33p1.2 table 6909 tos 0x04 protocol bird scope link priority 12 mtu 1000 hoplimit 100 advmss 101 rtt 102 rttvar 103 reordering 104 window 105 cwnd 106 ssthresh lock 107 rto_min 108 initcwnd 109 append initrwnd 110 features ecn fastopen_no_cookie 1
}
static_rules {
    from 192.168.2.0/24 table 1 track_group GROUP1
    to 192.168.2.0/24 table 1
    from 192.168.28.0/24 to 192.168.29.0/26 table small iif p33p1 oif wlan0 tos 22 fwmark 24/12 preference 39 realms 30/20 goto 40
    to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999
    to 1:2:3:4:6:6:7:0/112 from 8:6:5:4:3:2::/96 l3mdev protocol 12 ip_proto UDP sport 10-20 dport 20-30
}
track_group GROUP1 {
  group {
    VI_1
  }
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.1
  }
  virtual_routes {
    src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev eth1
    192.168.110.0/24 via 192.168.200.254 dev eth1
    192.168.111.0/24 dev eth2 no_track
    192.168.112.0/24 via 192.168.100.254
    192.168.113.0/24 via 192.168.200.254 or 192.168.100.254 dev eth1
    blackhole 192.168.114.0/24
    0.0.0.0/0 gw 192.168.0.1 table 100
  }
  virtual_rules {
    from 192.168.2.0/24 table 1
    to 192.168.2.0/24 table 1 no_track
  }
}
)");
  EXPECT_THAT(errors(r), IsEmpty());
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->vrrp.staticRoutes.size(), 4u);
  EXPECT_EQ(r.config->vrrp.staticRoutes[3].to.toString(), "2001:470:69e9:1:2::4/128");
  EXPECT_EQ(r.config->vrrp.staticRules.size(), 5u);
  EXPECT_EQ(r.config->vrrp.instances.at(0).routes.size(), 7u);
}

TEST(VrrpAddressesTest, StaticBlocksAcceptTrackGroupButNotNoTrack) {
  auto r = load(R"(track_group G {
  group {
    A
  }
}
static_ipaddress {
  192.168.1.1/24 dev eth0 track_group G
  192.168.1.2/24 dev eth0 no_track
}
)" + testing::instance("A", ""));
  EXPECT_THAT(errors(r), ElementsAre("t.conf:8:27: error: unknown 'static_ipaddress' option "
                                     "'no_track'"));
}

}  // namespace
}  // namespace vigil::config
