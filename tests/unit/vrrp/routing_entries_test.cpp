// static_routes and static_rules as the VRRP worker keeps them: added at
// start, diffed on reload (only what changed is touched), removed at stop,
// never added twice.
#include "vrrp/routing_entries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/fake_routing.h"
#include "unit/config/vrrp_test_support.h"

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

TEST_F(RoutingEntriesTest, ARuleWithAnUnknownTableIsSkippedAndTheRestInstalled) {
  apply(statics("", "from 10.1.0.0/16 table no-such-table-anywhere\nfwmark 1 table 5 pref 5"));
  EXPECT_THAT(journal_.rules, ElementsAre("from all fwmark 0x1 lookup 5 pref 5"));
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
