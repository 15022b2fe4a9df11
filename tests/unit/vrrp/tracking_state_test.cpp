#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"
#include "vrrp/tracking.h"

namespace vigil::vrrp {
namespace {

// Golden rules from keepalived.conf(5): what one object contributes.
struct StatusCase {
  bool up;
  int64_t weight;
  bool reverse;
  TrackContribution expected;
};

TEST(TrackingRulesTest, StatusObjectsFollowTheManPage) {
  const std::vector<StatusCase> cases = {
      {true, 0, false, {0, false}},       // unweighted: fine while up
      {false, 0, false, {0, true}},       // unweighted: FAULT when down
      {true, 0, true, {0, true}},         // weight 0 reverse: down while up
      {false, 0, true, {0, false}},       //   and fine while down
      {true, 10, false, {10, false}},     // positive: added when up
      {false, 10, false, {0, false}},     //   nothing when down
      {true, -10, false, {0, false}},     // negative: nothing when up
      {false, -10, false, {-10, false}},  // subtracted when down
      {true, 10, true, {-10, false}},     // reverse: decreased when up
      {false, -10, true, {10, false}},    //   increased when down
      {false, 10, true, {0, false}},     {true, -10, true, {0, false}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(statusContribution(c.up, c.weight, c.reverse), c.expected)
        << "up=" << c.up << " weight=" << c.weight << " reverse=" << c.reverse;
  }
}

struct FileCase {
  int64_t value;
  int64_t weight;
  bool reverse;
  TrackContribution expected;
};

TEST(TrackingRulesTest, FileValuesAreMultipliedByTheWeight) {
  const std::vector<FileCase> cases = {
      {0, 0, false, {0, false}},  // weight 0: zero is OK
      {3, 0, false, {0, true}},   //   non-zero is a failure
      {0, 0, true, {0, true}},    // reversed
      {3, 0, true, {0, false}},
      {5, 1, false, {5, false}},      // value * weight added
      {-20, 2, false, {-40, false}},  // negative values reduce priority
      {5, 2, true, {-10, false}},     // reverse negates
      {-253, 1, false, {-253, false}},
      {-254, 1, false, {0, true}},    // below -253: FAULT
      {300, 1, false, {253, false}},  // capped at 253
      {1000000, 2147483647, false, {253, false}},
      {-1000000, 2147483647, false, {0, true}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fileContribution(c.value, c.weight, c.reverse), c.expected)
        << "value=" << c.value << " weight=" << c.weight << " reverse=" << c.reverse;
  }
}

TrackedObject script(std::string name, int64_t weight, bool up = true) {
  TrackedObject o;
  o.kind = TrackKind::Script;
  o.name = std::move(name);
  o.weight = weight;
  o.up = up;
  return o;
}

TrackedObject interface(std::string name, int64_t weight) {
  TrackedObject o;
  o.kind = TrackKind::Interface;
  o.name = std::move(name);
  o.weight = weight;
  return o;
}

TEST(TrackingStateTest, WeightsSumAndClampTo1Through254) {
  TrackingState t(200, {script("a", 50), script("b", 50), script("c", -250, true)});
  EXPECT_EQ(t.effectivePriority(), 254);  // 200 + 100 clamped
  auto events = t.setScript("c", false);  // 200 + 100 - 250 = 50
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<PriorityChanged>(events[0]).priority, 50);
  t.setScript("a", false);
  t.setScript("b", false);  // 200 - 250 clamped to 1
  EXPECT_EQ(t.effectivePriority(), 1);
  EXPECT_FALSE(t.fault());
}

TEST(TrackingStateTest, OwnerPriorityStays255) {
  TrackingState t(255, {script("a", -50)});
  EXPECT_TRUE(t.setScript("a", false).empty());
  EXPECT_EQ(t.effectivePriority(), 255);
}

TEST(TrackingStateTest, UnweightedFailureRaisesAndClearsFault) {
  TrackingState t(100, {interface("eth1", 0), script("chk", 0)});
  auto raised = t.setInterface("eth1", false);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FaultRaised>(raised[0]));
  // A second failing object keeps the fault; clearing one is not enough.
  EXPECT_TRUE(t.setScript("chk", false).empty());
  EXPECT_TRUE(t.setInterface("eth1", true).empty());
  EXPECT_TRUE(t.fault());
  auto cleared = t.setScript("chk", true);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FaultCleared>(cleared[0]));
}

TEST(TrackingStateTest, FaultRaisedComesBeforeAndClearedAfterThePriorityChange) {
  TrackedObject file;
  file.kind = TrackKind::File;
  file.name = "f";
  file.weight = 1;
  TrackingState t(100, {file});
  auto down = t.setFile("f", -300);
  ASSERT_EQ(down.size(), 1u);  // a faulting file adds nothing
  EXPECT_TRUE(std::holds_alternative<FaultRaised>(down[0]));
  auto up = t.setFile("f", -10);
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(std::get<PriorityChanged>(up[0]).priority, 90);
  EXPECT_TRUE(std::holds_alternative<FaultCleared>(up[1]));
}

TEST(TrackingStateTest, UnknownNamesAndRepeatedInputsChangeNothing) {
  TrackingState t(100, {script("a", 10)});
  EXPECT_TRUE(t.setScript("nope", false).empty());
  EXPECT_TRUE(t.setInterface("a", false).empty());  // a script, not an interface
  EXPECT_TRUE(t.setScript("a", true).empty());
  EXPECT_EQ(t.effectivePriority(), 110);
}

std::shared_ptr<const config::Config> load(const std::string& text) {
  auto result = config::loadConfigText("t.conf", text, config::LoadOptions{});
  EXPECT_TRUE(result.config) << (result.diagnostics.all().empty()
                                     ? std::string("no config")
                                     : result.diagnostics.all().front().format());
  return result.config;
}

const std::string kScripts = R"(
vrrp_script up10 {
  script "/bin/true"
  weight 10
}
vrrp_script down20 {
  script "/bin/true"
  weight -20
  init_fail
}
vrrp_script plain {
  script "/bin/true"
}
track_file tf {
  file "/tmp/x"
  weight 3
}
)";

TEST(TrackingStateTest, BuiltFromConfigWithDefaultsOverridesAndPrimaryInterface) {
  auto cfg = load(kScripts + R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  track_script {
    up10
    down20
    plain weight 5 reverse
  }
  track_file {
    tf weight -2
  }
  track_interface {
    eth1 weight 7
  }
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)");
  ASSERT_TRUE(cfg);
  auto t = TrackingState::forInstance(cfg->vrrp.instances.at(0), cfg->vrrp);
  // 100 + up10 (10) + down20 failing at start (-20) + plain reversed (-5)
  // + eth1 up (7) + file 0.
  EXPECT_EQ(t.effectivePriority(), 92);
  EXPECT_TRUE(t.tracks(TrackKind::Interface, "eth0"));  // the primary interface
  t.setFile("tf", 4);                                   // 4 * -2
  EXPECT_EQ(t.effectivePriority(), 84);
  auto events = t.setInterface("eth0", false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FaultRaised>(events[0]));
}

TEST(TrackingStateTest, DontTrackPrimaryIgnoresTheOwnInterface) {
  auto cfg = load(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  dont_track_primary
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)");
  ASSERT_TRUE(cfg);
  auto t = TrackingState::forInstance(cfg->vrrp.instances.at(0), cfg->vrrp);
  EXPECT_TRUE(t.setInterface("eth0", false).empty());
  EXPECT_FALSE(t.fault());
}

TEST(TrackingStateTest, SyncGroupTrackingAppliesToEveryMember) {
  auto cfg = load(kScripts + R"(
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  track_script {
    plain
  }
}
)" +
                  "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n "
                  "virtual_ipaddress {\n 10.0.0.1\n }\n}\n" +
                  "vrrp_instance VI_2 {\n interface eth1\n virtual_router_id 52\n "
                  "virtual_ipaddress {\n 10.0.1.1\n }\n}\n");
  ASSERT_TRUE(cfg);
  for (const auto& inst : cfg->vrrp.instances) {
    auto t = TrackingState::forInstance(inst, cfg->vrrp);
    auto events = t.setScript("plain", false);
    ASSERT_EQ(events.size(), 1u) << inst.name;
    EXPECT_TRUE(std::holds_alternative<FaultRaised>(events[0]));
  }
}

TEST(TrackingStateTest, UnicastFaultNoPeerFaultsAUnicastInstanceWithoutPeers) {
  const std::string instance =
      "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n"
      " unicast_fault_no_peer\n virtual_ipaddress {\n 10.0.0.1\n }\n";
  auto lonely = load(instance + "}\n");
  auto peered = load(instance + " unicast_peer {\n 10.0.0.9\n }\n}\n");
  ASSERT_TRUE(lonely && peered);
  auto faulted = TrackingState::forInstance(lonely->vrrp.instances.at(0), lonely->vrrp);
  EXPECT_TRUE(faulted.fault());
  EXPECT_TRUE(faulted.tracks(TrackKind::UnicastPeers, "unicast_peer"));
  // Nothing a tracker reports can clear it.
  EXPECT_TRUE(faulted.setInterface("eth0", true).empty());
  EXPECT_TRUE(faulted.fault());
  EXPECT_FALSE(TrackingState::forInstance(peered->vrrp.instances.at(0), peered->vrrp).fault());
}

// keepalived's static track groups: the members track the interface of each
// static entry in the group (address dev, route dev, rule iif), unweighted.
TEST(TrackingStateTest, TrackGroupMembersFaultWhileAnInterfaceOfTheGroupsEntriesIsDown) {
  auto cfg = load(R"(
track_group TG {
  group {
    VI_1
  }
}
static_ipaddress {
  10.9.1.1/24 dev eth1 track_group TG
  10.9.3.1/24 track_group TG
  10.9.4.1/24 dev eth4
}
static_routes {
  10.9.2.0/24 via 10.9.1.254 dev eth2 track_group TG
}
static_rules {
  from 10.9.2.0/24 iif eth3 table 100 pref 500 track_group TG
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.1/24
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  virtual_ipaddress {
    10.0.1.1/24
  }
}
)");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(trackGroupInterfaces("VI_1", cfg->vrrp, "eth9"),
            (std::vector<std::string>{"eth1", "eth9", "eth2", "eth3"}));
  EXPECT_TRUE(trackGroupInterfaces("VI_2", cfg->vrrp, "eth9").empty());

  auto member = TrackingState::forInstance(cfg->vrrp.instances.at(0), cfg->vrrp, "eth9");
  for (const char* name : {"eth1", "eth2", "eth3", "eth9"}) {
    auto down = member.setInterface(name, false);
    ASSERT_EQ(down.size(), 1u) << name;
    EXPECT_TRUE(std::holds_alternative<FaultRaised>(down[0])) << name;
    auto up = member.setInterface(name, true);
    ASSERT_EQ(up.size(), 1u) << name;
    EXPECT_TRUE(std::holds_alternative<FaultCleared>(up[0])) << name;
  }
  EXPECT_TRUE(member.setInterface("eth4", false).empty());  // not in the group
  auto other = TrackingState::forInstance(cfg->vrrp.instances.at(1), cfg->vrrp, "eth9");
  EXPECT_TRUE(other.setInterface("eth1", false).empty());
  EXPECT_FALSE(other.fault());
}

}  // namespace
}  // namespace vigil::vrrp
