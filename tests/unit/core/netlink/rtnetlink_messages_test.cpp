// Reading the kernel's route and rule messages (a dump's, a deletion's),
// written by hand (RtnetlinkMessage).
#include "core/netlink/rtnetlink_messages.h"

#include <gtest/gtest.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "support/rtnetlink_message.h"

namespace vigil::netlink {
namespace {

using Message = test::RtnetlinkMessage;

// 10.9.2.0/24 table 100 metric 7 proto keepalived, nexthop via 10.9.1.253
// dev 3, nexthop via 10.9.1.254 dev 4.
TEST(RtnetlinkMessagesTest, AMultipathRouteKeepsEachHop) {
  Message m(RTM_NEWROUTE);
  m.u8(AF_INET).u8(24).u8(0).u8(0).u8(100).u8(18).u8(RT_SCOPE_UNIVERSE).u8(RTN_UNICAST).u32(0);
  m.attr(RTA_TABLE, 4).u32(100);
  m.attr(RTA_DST, 4).ip("10.9.2.0");
  m.attr(RTA_PRIORITY, 4).u32(7);
  m.attr(RTA_MULTIPATH, 32);
  for (auto [ifindex, gateway] : {std::pair{3, "10.9.1.253"}, std::pair{4, "10.9.1.254"}}) {
    m.u16(16).u8(0).u8(0).u32(static_cast<uint32_t>(ifindex));  // struct rtnexthop
    m.attr(RTA_GATEWAY, 4).ip(gateway);
  }
  const auto route = parseRouteMessage(m.header());
  ASSERT_TRUE(route);
  EXPECT_EQ(route->destination, *IpPrefix::parse("10.9.2.0/24"));
  EXPECT_EQ(route->table, 100u);
  EXPECT_EQ(route->metric, 7u);
  EXPECT_EQ(route->protocol, 18);
  EXPECT_EQ(route->type, RTN_UNICAST);
  ASSERT_EQ(route->nextHops.size(), 2u);
  EXPECT_EQ(route->nextHops[0].gateway, IpAddress::parse("10.9.1.253"));
  EXPECT_EQ(route->nextHops[0].ifindex, 3);
  EXPECT_EQ(route->nextHops[1].gateway, IpAddress::parse("10.9.1.254"));
  EXPECT_EQ(route->nextHops[1].ifindex, 4);
}

// A default route of table 1000 (past 255: RTA_TABLE only) through dev 2.
TEST(RtnetlinkMessagesTest, ARouteWithoutDestinationIsTheDefault) {
  Message m(RTM_DELROUTE);
  m.u8(AF_INET).u8(0).u8(0).u8(0).u8(RT_TABLE_COMPAT).u8(RTPROT_STATIC).u8(0).u8(RTN_UNICAST);
  m.u32(0);
  m.attr(RTA_TABLE, 4).u32(1000);
  m.attr(RTA_OIF, 4).u32(2);
  const auto route = parseRouteMessage(m.header());
  ASSERT_TRUE(route);
  EXPECT_EQ(route->destination, *IpPrefix::parse("0.0.0.0/0"));
  EXPECT_EQ(route->table, 1000u);
  ASSERT_EQ(route->nextHops.size(), 1u);
  EXPECT_FALSE(route->nextHops[0].gateway);
  EXPECT_EQ(route->nextHops[0].ifindex, 2);
}

// from 10.9.2.0/24 fwmark 0x3 dport 80 lookup 100 pref 500 proto
// keepalived, as the kernel reports it (the mark's mask, the unused
// suppress_prefixlength -1).
TEST(RtnetlinkMessagesTest, ARuleKeepsItsSelectorsAndPreference) {
  Message m(RTM_NEWRULE);
  m.u8(AF_INET).u8(0).u8(24).u8(0).u8(100).u8(0).u8(0).u8(FR_ACT_TO_TBL).u32(0);
  m.attr(FRA_TABLE, 4).u32(100);
  m.attr(FRA_SUPPRESS_PREFIXLEN, 4).u32(0xFFFFFFFFu);
  m.attr(FRA_PROTOCOL, 1).u8(18).u8(0).u8(0).u8(0);
  m.attr(FRA_PRIORITY, 4).u32(500);
  m.attr(FRA_FWMARK, 4).u32(3);
  m.attr(FRA_FWMASK, 4).u32(0xFFFFFFFFu);
  m.attr(FRA_SRC, 4).ip("10.9.2.0");
  m.attr(FRA_DPORT_RANGE, 4).u16(80).u16(80);
  const auto rule = parseRuleMessage(m.header());
  ASSERT_TRUE(rule);
  EXPECT_EQ(rule->family, AF_INET);
  EXPECT_EQ(rule->source, IpPrefix::parse("10.9.2.0/24"));
  EXPECT_FALSE(rule->destination);
  EXPECT_EQ(rule->table, 100u);
  EXPECT_EQ(rule->priority, 500u);
  EXPECT_EQ(rule->protocol, 18);
  EXPECT_EQ(rule->fwmark, 3u);
  EXPECT_EQ(rule->fwmask, 0xFFFFFFFFu);
  EXPECT_EQ(rule->suppressPrefixLength, 0xFFFFFFFFu);
  EXPECT_EQ(rule->dport, (RuleSpec::Range{80, 80}));
  EXPECT_FALSE(rule->sport);
  EXPECT_EQ(rule->action, FR_ACT_TO_TBL);
}

TEST(RtnetlinkMessagesTest, AMessageShorterThanItsHeaderOrOfAnotherFamilyIsNone) {
  Message shortRoute(RTM_NEWROUTE);
  shortRoute.u8(AF_INET).u8(24);
  EXPECT_FALSE(parseRouteMessage(shortRoute.header()));
  Message bridge(RTM_NEWRULE);
  bridge.u8(AF_BRIDGE).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(FR_ACT_TO_TBL).u32(0);
  EXPECT_FALSE(parseRuleMessage(bridge.header()));
}

}  // namespace
}  // namespace vigil::netlink
