// static_routes and static_rules as the VRRP worker keeps them: added at
// start, diffed on reload (only what changed is touched), removed at stop,
// never added twice.
#include "vrrp/routing_entries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>

#include "core/netlink/netlink_deletion_monitor.h"
#include "fakes/fake_routing.h"
#include "support/rtnetlink_message.h"
#include "unit/config/vrrp_test_support.h"
#include "vrrp/rule_spec.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

config::VrrpModel statics(std::string_view routes, std::string_view rules) {
  auto loaded = config::testing::load("static_routes {\n" + std::string(routes) +
                                      "\n}\nstatic_rules {\n" + std::string(rules) + "\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  return loaded.config ? loaded.config->vrrp : config::VrrpModel{};
}

class RoutingEntriesTest : public ::testing::Test {
 protected:
  void apply(const config::VrrpModel& model) {
    entries_.configure(model.staticRoutes, model.staticRules, "static routing");
    entries_.installAll();
  }

  fakes::RoutingJournal journal_;
  fakes::FakeRouteManager routes_{journal_};
  fakes::FakeRuleManager rules_{journal_};
  RoutingEntries entries_{&routes_, &rules_, "static routing"};
  config::VrrpModel model_ = statics("blackhole 10.8.0.0/16 table 100",
                                     "from 10.1.0.0/16 table 100 pref 100\n"
                                     "inet6 fwmark 3 table 100 pref 101");
};

TEST_F(RoutingEntriesTest, StartAddsRoutesThenRulesAndStopRemovesRulesFirst) {
  apply(model_);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ blackhole 10.8.0.0/16 table 100",
                                           "rule+ from 10.1.0.0/16 lookup 100 pref 100",
                                           "rule+ inet6 from all fwmark 0x3 lookup 100 pref 101"));
  EXPECT_EQ(entries_.installed().size(), 3u);
  entries_.uninstallAll();
  EXPECT_THAT(journal_.take(), ElementsAre("rule- from 10.1.0.0/16 lookup 100 pref 100",
                                           "rule- inet6 from all fwmark 0x3 lookup 100 pref 101",
                                           "route- blackhole 10.8.0.0/16 table 100"));
  EXPECT_THAT(journal_.routes, IsEmpty());
  EXPECT_THAT(journal_.rules, IsEmpty());
  EXPECT_THAT(entries_.installed(), IsEmpty());
}

TEST_F(RoutingEntriesTest, TheSameConfigurationTwiceTouchesNothing) {
  apply(model_);
  journal_.take();
  apply(statics("blackhole 10.8.0.0/16 table 100",
                "priority 100 from 10.1.0.0/16 lookup 100\ninet6 fwmark 3 table 100 pref 101"));
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST_F(RoutingEntriesTest, AReloadRemovesWhatWentAndAddsWhatCame) {
  apply(model_);
  journal_.take();
  apply(statics("blackhole 10.8.0.0/16 table 100\nunreachable 10.7.0.0/16",
                "from 10.1.0.0/16 table 100 pref 100"));
  EXPECT_THAT(journal_.take(), ElementsAre("rule- inet6 from all fwmark 0x3 lookup 100 pref 101",
                                           "route+ unreachable 10.7.0.0/16"));
  EXPECT_THAT(journal_.rules, ElementsAre("from 10.1.0.0/16 lookup 100 pref 100"));
  EXPECT_THAT(journal_.routes,
              UnorderedElementsAre("blackhole 10.8.0.0/16 table 100", "unreachable 10.7.0.0/16"));
}

TEST_F(RoutingEntriesTest, AFailedEntryIsRetriedByTheNextInstallAndTheOthersStay) {
  journal_.failing = {"from 10.1.0.0/16 lookup 100 pref 100"};
  apply(model_);
  EXPECT_EQ(entries_.installed().size(), 2u);
  journal_.take();
  journal_.failing.clear();
  entries_.installAll();
  EXPECT_THAT(journal_.take(), ElementsAre("rule+ from 10.1.0.0/16 lookup 100 pref 100"));
}

// What the worker's snapshot shows (doc/monitoring.md): a failing entry is
// current until an add succeeds; the count keeps every refused add.
TEST_F(RoutingEntriesTest, AFailureIsReportedUntilAnAddOfTheEntrySucceeds) {
  journal_.failing = {"from 10.1.0.0/16 lookup 100 pref 100"};
  apply(model_);
  entries_.installAll();  // a refresh: refused again
  RoutingEntries::Failures failures = entries_.failures();
  EXPECT_EQ(failures.routes, 0u);
  EXPECT_EQ(failures.rules, 2u);
  ASSERT_EQ(failures.current.size(), 1u);
  EXPECT_EQ(failures.current[0].kind, "rule");
  EXPECT_EQ(failures.current[0].entry, "from 10.1.0.0/16 lookup 100 pref 100");
  EXPECT_EQ(failures.current[0].error, "adding from 10.1.0.0/16 lookup 100 pref 100: " +
                                           std::string(std::strerror(ENETUNREACH)));
  journal_.failing.clear();
  entries_.installAll();
  failures = entries_.failures();
  EXPECT_THAT(failures.current, IsEmpty());
  EXPECT_EQ(failures.rules, 2u);
}

TEST_F(RoutingEntriesTest, AFailureIsNoLongerCurrentOnceTheEntryIsRemovedOrDropped) {
  journal_.failing = {"blackhole 10.8.0.0/16 table 100"};
  apply(model_);
  ASSERT_EQ(entries_.failures().current.size(), 1u);
  EXPECT_EQ(entries_.failures().current[0].kind, "route");
  entries_.uninstallAll();  // BACKUP: nothing is wanted in the kernel
  EXPECT_THAT(entries_.failures().current, IsEmpty());
  apply(model_);
  ASSERT_EQ(entries_.failures().current.size(), 1u);
  apply(statics("", "from 10.1.0.0/16 table 100 pref 100"));  // a reload drops it
  EXPECT_THAT(entries_.failures().current, IsEmpty());
  EXPECT_EQ(entries_.failures().routes, 2u);
}

// The load checked the name (config/route_names.h); the host's rt_tables
// lost it before the install.
TEST_F(RoutingEntriesTest, ARuleWithAnUnknownTableIsSkippedAndTheRestInstalled) {
  config::VrrpModel model = statics("", "from 10.1.0.0/16 table vips\nfwmark 1 table 5 pref 5");
  model.staticRules[0].table = "no-such-table-anywhere";
  apply(model);
  EXPECT_THAT(journal_.rules, ElementsAre("from all fwmark 0x1 lookup 5 pref 5"));
  ASSERT_EQ(entries_.failures().current.size(), 1u);
  EXPECT_NE(entries_.failures().current[0].error.find("unknown table 'no-such-table-anywhere'"),
            std::string::npos);
}

TEST_F(RoutingEntriesTest, ARuleWithoutAPreferenceIsHeldOnceAcrossARespawnAndGoesAtStop) {
  config::VrrpModel model = statics("", "from 10.1.0.0/16 table 100");
  apply(model);
  EXPECT_THAT(journal_.rules, ElementsAre("from 10.1.0.0/16 lookup 100"));
  journal_.take();
  // The worker was killed without removing it; the respawned one adds it
  // again, which the kernel would take as a second copy at another
  // preference.
  RoutingEntries respawned(&routes_, &rules_, "static routing");
  respawned.configure(model.staticRoutes, model.staticRules, "static routing");
  respawned.installAll();
  EXPECT_THAT(journal_.take(), ElementsAre("rule- from 10.1.0.0/16 lookup 100",
                                           "rule+ from 10.1.0.0/16 lookup 100"));
  EXPECT_THAT(journal_.rules, ElementsAre("from 10.1.0.0/16 lookup 100"));
  respawned.uninstallAll();
  EXPECT_THAT(journal_.rules, IsEmpty());
}

config::VrrpModel withAddresses(std::string_view addresses, std::string_view routes,
                                std::string_view rules) {
  auto loaded = config::testing::load("static_ipaddress {\n" + std::string(addresses) +
                                      "\n}\nstatic_routes {\n" + std::string(routes) +
                                      "\n}\nstatic_rules {\n" + std::string(rules) + "\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  return loaded.config ? loaded.config->vrrp : config::VrrpModel{};
}

// The links of the tests below: eth0 is 2, eth1 is 3.
int indexOfTestLink(const std::string& name) { return name == "eth1" ? 3 : name == "eth0" ? 2 : 0; }

// static_ipaddress with the routes and rules: keepalived's order, and its
// answer to an entry deleted behind its back.
class StaticEntriesTest : public ::testing::Test {
 protected:
  void apply(const config::VrrpModel& model) {
    entries_.configure(model.staticAddresses, model.staticRoutes, model.staticRules,
                       "static routing", "eth0");
    entries_.installAll();
  }
  // As the kernel reports model_'s route deleted: through its gateway on
  // eth1.
  static netlink::DeletedEntry deletedRoute(std::string_view prefix, uint32_t table = 254) {
    netlink::DeletedEntry d;
    d.kind = netlink::DeletedEntry::Kind::Route;
    d.route.destination = *IpPrefix::parse(prefix);
    d.route.table = table;
    d.route.protocol = netlink::kRouteProtocolKeepalived;
    d.route.nextHops = {{IpAddress::parse("10.9.1.254"), 3}};
    return d;
  }
  // As the kernel reports the static_rules entry `text` deleted.
  static netlink::DeletedEntry deletedRule(std::string_view text) {
    const config::VrrpModel model = withAddresses("", "", text);
    EXPECT_EQ(model.staticRules.size(), 1u);
    Result<netlink::RuleSpec> spec = ruleSpecFor(model.staticRules.at(0));
    EXPECT_TRUE(spec) << text;
    netlink::DeletedEntry d;
    d.kind = netlink::DeletedEntry::Kind::Rule;
    d.rule = *spec;
    return d;
  }
  size_t reinstate(const netlink::DeletedEntry& deleted) {
    return entries_.reinstate(deleted, indexOfTestLink);
  }

  fakes::RoutingJournal journal_;
  fakes::FakeRouteManager routes_{journal_};
  fakes::FakeRuleManager rules_{journal_};
  fakes::FakeAddressManager addresses_{journal_};
  RoutingEntries entries_{&routes_, &rules_, "static routing", &addresses_};
  config::VrrpModel model_ =
      withAddresses("10.9.1.1/24 dev eth1\n10.9.3.1/24", "10.9.2.0/24 via 10.9.1.254 dev eth1",
                    "from 10.9.2.0/24 table 100 pref 500");
};

TEST_F(StaticEntriesTest, AddressesComeFirstAndGoLastOnTheDefaultInterfaceWithoutDev) {
  apply(model_);
  EXPECT_THAT(journal_.take(),
              ElementsAre("address+ 10.9.1.1/24 dev eth1", "address+ 10.9.3.1/24 dev eth0",
                          "route+ 10.9.2.0/24 via 10.9.1.254 dev eth1",
                          "rule+ from 10.9.2.0/24 lookup 100 pref 500"));
  entries_.uninstallAll();
  EXPECT_THAT(journal_.take(),
              ElementsAre("rule- from 10.9.2.0/24 lookup 100 pref 500",
                          "route- 10.9.2.0/24 via 10.9.1.254 dev eth1",
                          "address- 10.9.1.1/24 dev eth1", "address- 10.9.3.1/24 dev eth0"));
  EXPECT_THAT(journal_.addresses, IsEmpty());
}

TEST_F(StaticEntriesTest, AStaticAddressIsPermanentNotAVipLifetime) {
  apply(withAddresses("10.9.1.1/24 dev eth1", "", ""));
  EXPECT_EQ(addresses_.lastAdded.validLifetime, netlink::kForeverLifetime);
  EXPECT_EQ(addresses_.lastAdded.preferredLifetime, netlink::kForeverLifetime);
  apply(withAddresses("2001:db8::7/128 dev eth1", "", ""));
  EXPECT_EQ(addresses_.lastAdded.validLifetime, netlink::kForeverLifetime);
  EXPECT_EQ(addresses_.lastAdded.preferredLifetime, 0u);  // keepalived deprecates a /128
  apply(withAddresses("2001:db8::8/128 dev eth1 preferred_lft forever", "", ""));
  EXPECT_EQ(addresses_.lastAdded.preferredLifetime, netlink::kForeverLifetime);
}

TEST_F(StaticEntriesTest, AReloadDiffsTheAddresses) {
  apply(model_);
  journal_.take();
  apply(withAddresses("10.9.1.1/24 dev eth1\n10.9.6.1/24 dev eth1",
                      "10.9.2.0/24 via 10.9.1.254 dev eth1",
                      "from 10.9.2.0/24 table 100 pref 500"));
  EXPECT_THAT(journal_.take(),
              ElementsAre("address- 10.9.3.1/24 dev eth0", "address+ 10.9.6.1/24 dev eth1"));
  EXPECT_THAT(journal_.addresses,
              UnorderedElementsAre("10.9.1.1/24 dev eth1", "10.9.6.1/24 dev eth1"));
}

TEST_F(StaticEntriesTest, ADeletedRouteIsAddedAgainAndOnlyIt) {
  apply(model_);
  journal_.take();
  journal_.routes.clear();  // `ip route del 10.9.2.0/24`
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24")), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.2.0/24 via 10.9.1.254 dev eth1"));
  // Another table, another protocol (the kernel's own) or another prefix is
  // not ours.
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24", 100)), 0u);
  netlink::DeletedEntry kernels = deletedRoute("10.9.2.0/24");
  kernels.route.protocol = RTPROT_KERNEL;
  EXPECT_EQ(reinstate(kernels), 0u);
  EXPECT_EQ(reinstate(deletedRoute("10.9.0.0/16")), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
}

struct Hop {
  int ifindex;
  const char* gateway;
};

// RTM_DELROUTE of `destination` (main table, proto keepalived, the kernel's
// metric) with `hops` in RTA_MULTIPATH and no top-level RTA_OIF, as the
// kernel reports a multipath route deleted, read by the deletion monitor.
netlink::DeletedEntry multipathDeletion(std::string_view destination, std::vector<Hop> hops) {
  const IpPrefix prefix = *IpPrefix::parse(destination);
  const auto size = static_cast<uint16_t>(prefix.address.size());
  const auto hopLength = static_cast<uint16_t>(sizeof(rtnexthop) + 4 + size);
  test::RtnetlinkMessage m(RTM_DELROUTE);
  m.u8(static_cast<uint8_t>(prefix.address.family())).u8(static_cast<uint8_t>(prefix.length));
  m.u8(0).u8(0).u8(RT_TABLE_MAIN).u8(netlink::kRouteProtocolKeepalived).u8(RT_SCOPE_UNIVERSE);
  m.u8(RTN_UNICAST).u32(0);
  m.attr(RTA_TABLE, 4).u32(RT_TABLE_MAIN);
  m.attr(RTA_DST, size).ip(prefix.address.toString().c_str());
  m.attr(RTA_PRIORITY, 4).u32(prefix.address.isV6() ? 1024 : 0);
  m.attr(RTA_MULTIPATH, static_cast<uint16_t>(hopLength * hops.size()));
  for (const Hop& hop : hops) {
    m.u16(hopLength).u8(0).u8(0).u32(static_cast<uint32_t>(hop.ifindex));  // struct rtnexthop
    m.attr(RTA_GATEWAY, size).ip(hop.gateway);
  }
  std::optional<netlink::DeletedEntry> deleted = netlink::parseDeletion(m.header());
  EXPECT_TRUE(deleted) << destination;
  return deleted.value_or(netlink::DeletedEntry{});
}

// The first hop is not the one through eth1: a multipath route has no
// device of its own, and each hop counts.
TEST_F(StaticEntriesTest, AMultipathDeletionNamesEachRouteThroughOneOfItsHopsOnce) {
  apply(withAddresses("",
                      "10.9.4.0/24 via 10.9.1.253 dev eth1\n10.9.5.0/24 via 10.9.1.253\n"
                      "2001:db8:4::/64 via 2001:db8:1::1 dev eth0\n"
                      "2001:db8:4::/64 via 2001:db8:1::2 dev eth1",
                      ""));
  journal_.take();
  EXPECT_EQ(reinstate(multipathDeletion("10.9.4.0/24", {{2, "10.9.3.254"}, {3, "10.9.1.253"}})),
            1u);
  EXPECT_EQ(reinstate(multipathDeletion("10.9.5.0/24", {{2, "10.9.3.254"}, {3, "10.9.1.253"}})),
            1u);
  // IPv6 merges the two routes of a prefix and metric into one: one
  // deletion for both.
  EXPECT_EQ(
      reinstate(multipathDeletion("2001:db8:4::/64", {{2, "2001:db8:1::1"}, {3, "2001:db8:1::2"}})),
      2u);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.4.0/24 via 10.9.1.253 dev eth1",
                                           "route+ 10.9.5.0/24 via 10.9.1.253",
                                           "route+ 2001:db8:4::/64 via 2001:db8:1::1 dev eth0",
                                           "route+ 2001:db8:4::/64 via 2001:db8:1::2 dev eth1"));
  EXPECT_EQ(entries_.restored().routes, 4u);
}

// Deleting one hop of a merged IPv6 route (`ip -6 route del P via G dev D`)
// reports that hop alone, without RTA_MULTIPATH: only its entry is added
// back, and the other hop's, still in the kernel, is not touched.
TEST_F(StaticEntriesTest, OneHopDeletedOfAMergedIpv6RouteNamesOnlyItsEntry) {
  apply(withAddresses("",
                      "2001:db8:4::/64 via 2001:db8:1::1 dev eth0\n"
                      "2001:db8:4::/64 via 2001:db8:1::2 dev eth1",
                      ""));
  journal_.take();
  netlink::DeletedEntry hop;
  hop.kind = netlink::DeletedEntry::Kind::Route;
  hop.route.destination = *IpPrefix::parse("2001:db8:4::/64");
  hop.route.metric = 1024;
  hop.route.protocol = netlink::kRouteProtocolKeepalived;
  hop.route.nextHops = {{IpAddress::parse("2001:db8:1::2"), 3}};
  EXPECT_EQ(reinstate(hop), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 2001:db8:4::/64 via 2001:db8:1::2 dev eth1"));
}

TEST_F(StaticEntriesTest, ARouteOfTheSamePrefixThroughOtherHopsIsNotOurs) {
  apply(withAddresses("", "10.9.4.0/24 via 10.9.1.253 dev eth1\n10.9.5.0/24 via 10.9.1.253", ""));
  journal_.take();
  EXPECT_EQ(reinstate(multipathDeletion("10.9.4.0/24", {{2, "10.9.3.254"}, {2, "10.9.3.253"}})),
            0u);
  // Its gateway through another device.
  EXPECT_EQ(reinstate(multipathDeletion("10.9.4.0/24", {{2, "10.9.1.253"}, {2, "10.9.3.253"}})),
            0u);
  EXPECT_EQ(reinstate(multipathDeletion("10.9.5.0/24", {{2, "10.9.3.254"}, {3, "10.9.1.252"}})),
            0u);
  netlink::DeletedEntry single = deletedRoute("10.9.4.0/24");
  single.route.nextHops = {{IpAddress::parse("10.9.1.253"), 2}};  // `dev eth0`
  EXPECT_EQ(reinstate(single), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST_F(StaticEntriesTest, ADeletedAddressOrRuleIsAddedAgain) {
  apply(model_);
  journal_.take();
  netlink::DeletedEntry address;
  address.kind = netlink::DeletedEntry::Kind::Address;
  address.address = *IpPrefix::parse("10.9.1.1/24");
  address.interface = "eth1";
  EXPECT_EQ(reinstate(address), 1u);
  address.interface = "eth2";  // the same address elsewhere is not ours
  EXPECT_EQ(reinstate(address), 0u);
  EXPECT_EQ(reinstate(deletedRule("from 10.9.2.0/24 table 100 pref 500")), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("address+ 10.9.1.1/24 dev eth1",
                                           "rule+ from 10.9.2.0/24 lookup 100 pref 500"));
}

// Rules often share a preference (two instances' virtual_rules at pref
// 100): another rule deleted at ours, say by its owner going BACKUP, is not
// ours deleted.
TEST_F(StaticEntriesTest, OnlyTheRuleDeletedIsAddedAgainWhereRulesShareAPreference) {
  apply(withAddresses("", "",
                      "from 10.9.2.0/24 table 100 pref 500\nfrom 10.9.4.0/24 table 101 pref 500"));
  journal_.take();
  EXPECT_EQ(reinstate(deletedRule("from 10.9.4.0/24 table 101 pref 500")), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("rule+ from 10.9.4.0/24 lookup 101 pref 500"));
  EXPECT_EQ(reinstate(deletedRule("from 10.9.5.0/24 table 100 pref 500")), 0u);
  EXPECT_EQ(reinstate(deletedRule("from 10.9.2.0/24 table 102 pref 500")), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
}

// vigil_vrrp_static_entries_restored_total: each kind apart, only adds the
// kernel took, and not an interface coming up (nothing was reported deleted).
TEST_F(StaticEntriesTest, RestoredCountsTheReAddsTheKernelTookByKind) {
  apply(model_);
  netlink::DeletedEntry address;
  address.kind = netlink::DeletedEntry::Kind::Address;
  address.address = *IpPrefix::parse("10.9.1.1/24");
  address.interface = "eth1";
  EXPECT_EQ(reinstate(address), 1u);
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24")), 1u);
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24")), 1u);
  journal_.failing = {"10.9.2.0/24 via 10.9.1.254 dev eth1"};  // gateway gone meanwhile
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24")), 1u);
  EXPECT_EQ(entries_.reinstateOn("eth1"), 2u);
  EXPECT_EQ(entries_.restored().addresses, 1u);
  EXPECT_EQ(entries_.restored().routes, 2u);
  EXPECT_EQ(entries_.restored().rules, 0u);
  EXPECT_EQ(entries_.failures().routes, 2u);  // the refused re-add and the interface's
}

TEST_F(StaticEntriesTest, WhatARemovalOfOurOwnDeletesIsNotAddedAgain) {
  apply(model_);
  apply(withAddresses("10.9.1.1/24 dev eth1", "", ""));  // the route went with the reload
  journal_.take();
  EXPECT_EQ(reinstate(deletedRoute("10.9.2.0/24")), 0u);
  entries_.uninstallAll();
  journal_.take();
  netlink::DeletedEntry address;
  address.kind = netlink::DeletedEntry::Kind::Address;
  address.address = *IpPrefix::parse("10.9.1.1/24");
  EXPECT_EQ(reinstate(address), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST_F(StaticEntriesTest, ARuleWithoutAPreferenceIsNotAddedAgain) {
  apply(withAddresses("", "", "from 10.9.2.0/24 table 100"));
  journal_.take();
  EXPECT_EQ(reinstate(deletedRule("from 10.9.2.0/24 table 100 pref 32765")), 0u);
}

TEST_F(StaticEntriesTest, AnInterfaceThatComesUpGetsItsAddressesAndRoutesBack) {
  journal_.failing = {"10.9.2.0/24 via 10.9.1.254 dev eth1"};  // eth1 was down
  apply(model_);
  journal_.take();
  journal_.failing.clear();
  EXPECT_EQ(entries_.reinstateOn("eth1"), 2u);
  EXPECT_THAT(journal_.take(), ElementsAre("address+ 10.9.1.1/24 dev eth1",
                                           "route+ 10.9.2.0/24 via 10.9.1.254 dev eth1"));
  EXPECT_EQ(entries_.installed().size(), 4u);
  EXPECT_EQ(entries_.reinstateOn("eth7"), 0u);
}

// The kernel as a dump after lost notifications shows it: model_'s
// addresses and rule, but not its route (deleted unseen).
netlink::RoutingDump dumpWithoutTheRoute() {
  netlink::RoutingDump kernel;
  kernel.addresses = {{3, *IpPrefix::parse("10.9.1.1/24")}, {2, *IpPrefix::parse("10.9.3.1/24")}};
  netlink::RuleSpec rule;
  rule.source = IpPrefix::parse("10.9.2.0/24");
  rule.table = 100;
  rule.priority = 500;
  kernel.rules = {rule};
  return kernel;
}

TEST_F(StaticEntriesTest, AfterLostNotificationsOnlyWhatTheDumpLacksIsAddedAgainAndCounted) {
  apply(model_);
  journal_.take();
  journal_.routes.clear();  // deleted while the notifications were lost
  EXPECT_EQ(entries_.resyncRequest().routes.size(), 1u);
  EXPECT_EQ(entries_.reinstateMissing(dumpWithoutTheRoute(), indexOfTestLink), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.2.0/24 via 10.9.1.254 dev eth1"));
  EXPECT_EQ(entries_.restored().routes, 1u);
  EXPECT_EQ(entries_.restored().addresses + entries_.restored().rules, 0u);

  netlink::RoutingDump whole = dumpWithoutTheRoute();
  netlink::KernelRoute route;
  route.destination = *IpPrefix::parse("10.9.2.0/24");
  route.protocol = netlink::kRouteProtocolKeepalived;
  route.nextHops = {{IpAddress::parse("10.9.1.254"), 3}};
  whole.routes = {route};
  EXPECT_EQ(entries_.reinstateMissing(whole, indexOfTestLink), 0u);  // idempotent
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST_F(StaticEntriesTest, AResyncComparesOnlyInstalledEntries) {
  journal_.failing = {"10.9.2.0/24 via 10.9.1.254 dev eth1"};
  apply(model_);
  journal_.take();
  EXPECT_EQ(entries_.reinstateMissing(dumpWithoutTheRoute(), indexOfTestLink), 0u);
  entries_.uninstallAll();
  journal_.take();
  EXPECT_TRUE(entries_.resyncRequest().empty());
  EXPECT_EQ(entries_.reinstateMissing({}, indexOfTestLink), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
}

netlink::NotificationGroups deletionGroupsOf(const config::VrrpModel& model) {
  return deletionGroupsFor(model.staticAddresses, model.staticRoutes, model.staticRules);
}

TEST_F(StaticEntriesTest, WithoutStaticEntriesNoDeletionIsWatched) {
  EXPECT_THAT(deletionGroupsOf(config::VrrpModel{}), IsEmpty());
  EXPECT_THAT(deletionGroupsOf(withAddresses("", "", "")), IsEmpty());
}

TEST_F(StaticEntriesTest, EachKindOfEntryWatchesOnlyItsOwnGroupOfItsFamily) {
  EXPECT_THAT(deletionGroupsOf(model_),
              UnorderedElementsAre(RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_RULE));
  EXPECT_THAT(deletionGroupsOf(withAddresses("2001:db8::1/64 dev eth1", "", "")),
              ElementsAre(RTNLGRP_IPV6_IFADDR));
  EXPECT_THAT(deletionGroupsOf(withAddresses("", "blackhole 2001:db8:1::/48", "")),
              ElementsAre(RTNLGRP_IPV6_ROUTE));
  EXPECT_THAT(deletionGroupsOf(withAddresses("", "", "fwmark 3 table 100 pref 101")),
              ElementsAre(RTNLGRP_IPV4_RULE));
  EXPECT_THAT(deletionGroupsOf(withAddresses("10.9.1.1/24\n2001:db8::1/64", "",
                                             "inet6 fwmark 3 table 100 pref 101")),
              UnorderedElementsAre(RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_RULE));
}

TEST(RoutingEntriesLoggingTest, WithoutNetlinkEntriesAreOnlyLogged) {
  RoutingEntries entries(nullptr, nullptr, "static routing");
  config::VrrpModel model = statics("blackhole 10.8.0.0/16", "from 10.1.0.0/16 table 5");
  entries.configure(model.staticRoutes, model.staticRules, "static routing");
  entries.installAll();
  EXPECT_EQ(entries.installed().size(), 2u);
  entries.uninstallAll();
  EXPECT_THAT(entries.installed(), IsEmpty());
}

}  // namespace
}  // namespace vigil::vrrp
