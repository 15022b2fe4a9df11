// After lost deletion notifications the VRRP worker's reading of the
// kernel's tables covers a MASTER's virtual routes and rules as well as
// the static entries: what a MASTER lacks comes back, a BACKUP (nothing
// installed) asks for and adds nothing, and a reading begun before an
// instance became MASTER is made again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/simulated_loop.h"
#include "fakes/fake_routing.h"
#include "fakes/fake_routing_dumper.h"
#include "unit/config/vrrp_test_support.h"
#include "vrrp/route_installer.h"
#include "vrrp/routing_loss_resync.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

config::VrrpInstance instance() {
  auto loaded = config::testing::load(
      "vrrp_instance A {\n  interface eth0\n  virtual_router_id 5\n"
      "  virtual_ipaddress {\n    10.0.0.1/24\n  }\n"
      "  virtual_routes {\n    10.9.0.0/16 via 10.0.0.254 table 100\n  }\n"
      "  virtual_rules {\n    from 10.0.0.1 table 100 pref 100\n  }\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  return loaded.config ? loaded.config->vrrp.instances.at(0) : config::VrrpInstance{};
}

// What the kernel holds of the instance's route and rule.
netlink::KernelRoute heldRoute() {
  netlink::KernelRoute route;
  route.destination = *IpPrefix::parse("10.9.0.0/16");
  route.table = 100;
  route.protocol = netlink::kRouteProtocolKeepalived;
  route.nextHops = {{IpAddress::parse("10.0.0.254"), 2}};
  return route;
}

netlink::RuleSpec heldRule() {
  netlink::RuleSpec rule;
  rule.source = IpPrefix::parse("10.0.0.1/32");
  rule.table = 100;
  rule.priority = 100;
  rule.protocol = netlink::kRouteProtocolKeepalived;
  return rule;
}

class VirtualRoutingResyncTest : public ::testing::Test {
 protected:
  void becomeMaster() { installer_.add(instance_.vips, "eth0", std::nullopt); }

  SimulatedLoop loop_;
  fakes::RoutingJournal journal_;
  fakes::FakeRouteManager routes_{journal_};
  fakes::FakeRuleManager rules_{journal_};
  LoggingVipInstaller vips_;
  config::VrrpInstance instance_ = instance();
  VipRouteInstaller installer_{vips_, &routes_, &rules_, instance_};
  RoutingEntries statics_{&routes_, &rules_, "static routing"};  // none configured
  fakes::FakeRoutingDumper dumper_;
  RoutingLossResync resync_{loop_,
                            [this] {
                              return std::vector<RoutingEntries*>{&statics_, &installer_.routing()};
                            },
                            &dumper_, [](const std::string&) { return 0; }};
};

TEST_F(VirtualRoutingResyncTest, AMastersRouteAndRuleDeletedUnseenComeBackAndAreCounted) {
  becomeMaster();
  journal_.take();
  journal_.routes.clear();  // deleted while the notifications were lost
  journal_.rules.clear();
  resync_.onLoss();
  ASSERT_TRUE(dumper_.busy());
  EXPECT_THAT(dumper_.lastRequest.routes,
              ElementsAre(netlink::DumpRequest::Routes{AF_INET, 100, 18}));
  EXPECT_EQ(dumper_.lastRequest.ruleFamilies, std::set<int>{AF_INET});
  dumper_.answer({});
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.0.0/16 via 10.0.0.254 table 100",
                                           "rule+ from 10.0.0.1/32 lookup 100 pref 100"));
  EXPECT_EQ(installer_.routing().restored().routes, 1u);
  EXPECT_EQ(installer_.routing().restored().rules, 1u);
  EXPECT_EQ(resync_.done(), 1u);

  resync_.onLoss();  // held now: nothing added twice
  dumper_.answer({{}, {heldRoute()}, {heldRule()}});
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST_F(VirtualRoutingResyncTest, ABackupAsksForNothingAndAddsNothing) {
  installer_.remove(instance_.vips, "eth0");
  journal_.take();
  resync_.onLoss();
  EXPECT_TRUE(dumper_.lastRequest.empty());
  dumper_.answer({});
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_THAT(journal_.routes, IsEmpty());
  EXPECT_EQ(resync_.done(), 1u);
}

// The dump may have been read before the takeover added the rule: adding
// what it lacks would stack a second copy of a rule without a preference,
// so it is read again.
TEST_F(VirtualRoutingResyncTest, AReadingBegunBeforeATakeoverIsMadeAgain) {
  resync_.onLoss();
  becomeMaster();
  journal_.take();
  dumper_.answer({});
  EXPECT_EQ(dumper_.dumps, 2);
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_EQ(dumper_.lastRequest.routes.size(), 1u);
  dumper_.answer({{}, {heldRoute()}, {heldRule()}});
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_EQ(resync_.done(), 1u);
}

}  // namespace
}  // namespace vigil::vrrp
