// An instance's virtual_routes and virtual_rules follow its VIPs: added
// after them, removed before them, retried on refresh, diffed on reload,
// never blocking a move.
#include "vrrp/route_installer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <set>

#include "fakes/fake_routing.h"
#include "unit/config/vrrp_test_support.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Journal = fakes::RoutingJournal;
using FakeRoutes = fakes::FakeRouteManager;

class FakeVips final : public VipInstaller {
 public:
  explicit FakeVips(Journal& journal) : journal_(journal) {}
  void add(const std::vector<config::VirtualAddress>& vips, const std::string&,
           std::optional<Duration>) override {
    for (const auto& vip : vips) journal_.entries.push_back("addr+ " + vip.prefix.toString());
  }
  void remove(const std::vector<config::VirtualAddress>& vips, const std::string&) override {
    for (const auto& vip : vips) journal_.entries.push_back("addr- " + vip.prefix.toString());
  }

 private:
  Journal& journal_;
};

config::VrrpInstance instanceWith(std::string_view vips, std::string_view routes,
                                  std::string_view rules = "") {
  auto loaded = config::testing::load(
      "vrrp_instance A {\n  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n" +
      std::string(vips) + "\n  }\n  virtual_routes {\n" + std::string(routes) +
      "\n  }\n  virtual_rules {\n" + std::string(rules) + "\n  }\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  return loaded.config ? loaded.config->vrrp.instances.at(0) : config::VrrpInstance{};
}

class VipRouteInstallerTest : public ::testing::Test {
 protected:
  Journal journal_;
  FakeVips vips_{journal_};
  FakeRoutes routes_{journal_};
  config::VrrpInstance instance_ = instanceWith(
      "10.0.0.1/24\n10.0.0.2/24", "10.9.0.0/16 via 10.0.0.254\nblackhole 10.8.0.0/16 table 100");
  VipRouteInstaller installer_{vips_, &routes_, nullptr, instance_};
};

TEST_F(VipRouteInstallerTest, RoutesComeAfterTheAddressesAndGoBeforeThem) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.9.0.0/16 via 10.0.0.254",
                                           "route+ blackhole 10.8.0.0/16 table 100"));
  installer_.remove(instance_.vips, "eth0");
  EXPECT_THAT(journal_.take(), ElementsAre("route- 10.9.0.0/16 via 10.0.0.254",
                                           "route- blackhole 10.8.0.0/16 table 100",
                                           "addr- 10.0.0.1/24", "addr- 10.0.0.2/24"));
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, ARefreshLeavesInstalledRoutesAlone) {
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  journal_.take();
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24"));
}

TEST_F(VipRouteInstallerTest, AFailedRouteNeitherStopsTheOthersNorTheVipsAndIsRetried) {
  journal_.failing = {"10.9.0.0/16 via 10.0.0.254"};
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.routes, ElementsAre("blackhole 10.8.0.0/16 table 100"));
  journal_.take();
  journal_.failing.clear();
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.9.0.0/16 via 10.0.0.254"));
  EXPECT_EQ(journal_.routes.size(), 2u);
}

TEST_F(VipRouteInstallerTest, RemovingSomeAddressesKeepsTheRoutes) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  installer_.remove({instance_.vips[1]}, "eth0");
  EXPECT_THAT(journal_.take(), ElementsAre("addr- 10.0.0.2/24"));
  EXPECT_EQ(journal_.routes.size(), 2u);
}

TEST_F(VipRouteInstallerTest, ABackupAtStartUpClearsLeftOverRoutesQuietly) {
  journal_.routes = {"10.9.0.0/16 via 10.0.0.254"};  // a killed run's
  installer_.remove(instance_.vips, "eth0");
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, AReloadRemovesDroppedRoutesAndAddsNewOnesWithTheNextAdd) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  config::VrrpInstance next = instanceWith("10.0.0.1/24\n10.0.0.2/24",
                                           "blackhole 10.8.0.0/16 table 100\n10.7.0.0/16 dev eth0");
  installer_.reconfigure(next);
  EXPECT_THAT(journal_.take(), ElementsAre("route- 10.9.0.0/16 via 10.0.0.254"));
  installer_.add(next.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.7.0.0/16 dev eth0 scope link"));
}

TEST_F(VipRouteInstallerTest, AReloadReplacingEveryAddressKeepsTheUnchangedRoutes) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  config::VrrpInstance next =
      instanceWith("10.0.0.3/24", "10.9.0.0/16 via 10.0.0.254\nblackhole 10.8.0.0/16 table 100");
  installer_.reconfigure(next);
  installer_.remove(instance_.vips, "eth0");  // the runtime drops the replaced addresses
  installer_.add(next.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(),
              ElementsAre("addr- 10.0.0.1/24", "addr- 10.0.0.2/24", "addr+ 10.0.0.3/24"));
  EXPECT_EQ(journal_.routes.size(), 2u);
  installer_.remove(next.vips, "eth0");  // leaving MASTER afterwards still takes them
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, AReloadOfABackupTouchesNoRoute) {
  installer_.reconfigure(instanceWith("10.0.0.1/24", "10.7.0.0/16 dev eth0"));
  EXPECT_THAT(journal_.take(), IsEmpty());
}

// As the kernel reports a route of the main table (proto keepalived)
// deleted: through `gateway` on interface 2.
netlink::DeletedEntry deletedRoute(std::string_view destination, const char* gateway) {
  netlink::DeletedEntry deleted;
  deleted.kind = netlink::DeletedEntry::Kind::Route;
  deleted.route.destination = *IpPrefix::parse(destination);
  deleted.route.protocol = netlink::kRouteProtocolKeepalived;
  deleted.route.nextHops = {{IpAddress::parse(gateway), 2}};
  return deleted;
}

int noLinks(const std::string&) { return 0; }

// What the VRRP worker does with a deletion it is told of: a MASTER's
// virtual route comes back and is counted; a BACKUP's (removed when it left
// MASTER, so the notice of its own removal too) stays away.
TEST_F(VipRouteInstallerTest, AMastersDeletedRouteIsAddedAgainAndABackupsIsNot) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  journal_.routes.erase("10.9.0.0/16 via 10.0.0.254");  // `ip route del 10.9.0.0/16`
  EXPECT_EQ(installer_.routing().reinstate(deletedRoute("10.9.0.0/16", "10.0.0.254"), noLinks), 1u);
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.0.0/16 via 10.0.0.254"));
  EXPECT_EQ(installer_.routing().restored().routes, 1u);
  // Another gateway's route of the prefix is not the instance's.
  EXPECT_EQ(installer_.routing().reinstate(deletedRoute("10.9.0.0/16", "10.0.0.253"), noLinks), 0u);

  installer_.remove(instance_.vips, "eth0");  // BACKUP
  journal_.take();
  EXPECT_EQ(installer_.routing().reinstate(deletedRoute("10.9.0.0/16", "10.0.0.254"), noLinks), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_TRUE(installer_.routing().resyncRequest().empty());
  EXPECT_EQ(installer_.routing().reinstateMissing({}, noLinks), 0u);
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_EQ(installer_.routing().restored().routes, 1u);
}

// Records how many routes the journal held when groups were joined.
class JoinOrderMonitor final : public netlink::DeletionMonitor {
 public:
  explicit JoinOrderMonitor(const Journal& journal) : journal_(journal) {}
  void setListener(Listener) override {}
  void setLossListener(LossListener) override {}
  Status watch(const netlink::NotificationGroups& groups) override {
    if (!groups.empty()) routesWhenJoined = journal_.routes.size();
    watched = groups;
    return {};
  }
  uint64_t overflows() const override { return 0; }

  netlink::NotificationGroups watched;
  size_t routesWhenJoined = 99;

 private:
  const Journal& journal_;
};

// A BACKUP has installed none of its virtual routes and rules, so their
// deletions are not listened to; a MASTER's are, joined before the first
// route is added, and left when they are removed.
TEST_F(VipRouteInstallerTest, DeletionGroupsAreWantedOnlyWhileTheRoutesAreInstalled) {
  JoinOrderMonitor monitor(journal_);
  DeletionWatch watch(&monitor);
  installer_.routing().watchDeletionsWith(&watch);
  installer_.remove(instance_.vips, "eth0");  // start-up as BACKUP
  EXPECT_THAT(installer_.routing().deletionGroups(), IsEmpty());
  EXPECT_THAT(watch.wanted(), IsEmpty());

  installer_.add(instance_.vips, "eth0", std::nullopt);  // MASTER
  EXPECT_EQ(monitor.routesWhenJoined, 0u);               // joined before any route went in
  EXPECT_THAT(installer_.routing().deletionGroups(), ElementsAre(RTNLGRP_IPV4_ROUTE));
  EXPECT_THAT(monitor.watched, ElementsAre(RTNLGRP_IPV4_ROUTE));
  installer_.add(instance_.vips, "eth0", std::nullopt);  // a refresh changes nothing
  EXPECT_THAT(monitor.watched, ElementsAre(RTNLGRP_IPV4_ROUTE));

  installer_.remove(instance_.vips, "eth0");  // BACKUP again
  EXPECT_THAT(installer_.routing().deletionGroups(), IsEmpty());
  EXPECT_THAT(monitor.watched, IsEmpty());
}

// An installer of the test's own instance, with rules.
class VipRouteInstallerRulesTest : public ::testing::Test {
 protected:
  Journal journal_;
  FakeVips vips_{journal_};
  FakeRoutes routes_{journal_};
  fakes::FakeRuleManager rules_{journal_};
};

// keepalived's no_track: the entry's deletion is left alone, neither
// watched nor found missing after lost notifications.
TEST_F(VipRouteInstallerRulesTest, ANoTrackRouteOrRuleIsNotRestored) {
  config::VrrpInstance instance =
      instanceWith("10.0.0.1/24", "10.9.0.0/16 via 10.0.0.254 no_track\nblackhole 10.8.0.0/16",
                   "from 10.0.0.1 table 100 pref 100 no_track");
  EXPECT_THAT(deletionGroupsFor({}, instance.routes, instance.rules),
              ElementsAre(RTNLGRP_IPV4_ROUTE));
  VipRouteInstaller installer(vips_, &routes_, &rules_, instance);
  installer.add(instance.vips, "eth0", std::nullopt);
  journal_.take();
  EXPECT_EQ(installer.routing().reinstate(deletedRoute("10.9.0.0/16", "10.0.0.254"), noLinks), 0u);
  EXPECT_EQ(installer.routing().resyncRequest().ruleFamilies.size(), 0u);
  EXPECT_EQ(installer.routing().reinstateMissing({}, noLinks), 1u);  // the blackhole only
  EXPECT_THAT(journal_.take(), ElementsAre("route+ blackhole 10.8.0.0/16"));
}

TEST(VipRouteInstallerRefusedTest, ARouteVigilCannotApplyIsSkippedAndTheRestInstalled) {
  Journal journal;
  FakeVips vips(journal);
  FakeRoutes routes(journal);
  config::VrrpInstance instance =
      instanceWith("10.0.0.1/24", "10.6.0.0/16 dev eth0 realms 2\n10.5.0.0/16 dev eth0");
  VipRouteInstaller installer(vips, &routes, nullptr, instance);
  installer.add(instance.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal.routes, ElementsAre("10.5.0.0/16 dev eth0 scope link"));
}

TEST_F(VipRouteInstallerRulesTest, RulesComeAfterTheRoutesAndGoFirst) {
  config::VrrpInstance instance =
      instanceWith("10.0.0.1/24", "10.9.0.0/16 via 10.0.0.254 table 100",
                   "from 10.0.0.1 table 100 pref 100\nto 2001:db8::/64 table 100 pref 100");
  VipRouteInstaller installer(vips_, &routes_, &rules_, instance);
  installer.add(instance.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(),
              ElementsAre("addr+ 10.0.0.1/24", "route+ 10.9.0.0/16 via 10.0.0.254 table 100",
                          "rule+ from 10.0.0.1/32 lookup 100 pref 100",
                          "rule+ inet6 from all to 2001:db8::/64 lookup 100 pref 100"));
  installer.add(instance.vips, "eth0", std::nullopt);  // a refresh
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24"));
  installer.remove(instance.vips, "eth0");
  EXPECT_THAT(journal_.take(),
              ElementsAre("rule- from 10.0.0.1/32 lookup 100 pref 100",
                          "rule- inet6 from all to 2001:db8::/64 lookup 100 pref 100",
                          "route- 10.9.0.0/16 via 10.0.0.254 table 100", "addr- 10.0.0.1/24"));
  EXPECT_THAT(journal_.rules, IsEmpty());
}

TEST_F(VipRouteInstallerRulesTest, AReloadSwapsOnlyTheChangedRule) {
  config::VrrpInstance instance =
      instanceWith("10.0.0.1/24", "", "from 10.0.0.1 table 100 pref 100\nfwmark 5 table 7 pref 7");
  VipRouteInstaller installer(vips_, &routes_, &rules_, instance);
  installer.add(instance.vips, "eth0", std::nullopt);
  journal_.take();
  config::VrrpInstance next =
      instanceWith("10.0.0.1/24", "", "from 10.0.0.1 table 100 pref 100\nfwmark 6 table 7 pref 7");
  installer.reconfigure(next);
  EXPECT_THAT(journal_.take(), ElementsAre("rule- from all fwmark 0x5 lookup 7 pref 7"));
  installer.add(next.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(),
              ElementsAre("addr+ 10.0.0.1/24", "rule+ from all fwmark 0x6 lookup 7 pref 7"));
  EXPECT_EQ(journal_.rules.size(), 2u);
}

}  // namespace
}  // namespace vigil::vrrp
