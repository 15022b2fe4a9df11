#include "check/service_state.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

#include "config/loader.h"

namespace vigil::check {
namespace {

using Kind = HealthEvent::Kind;

// A configuration's first virtual server; the LoadResult keeps it alive.
struct Loaded {
  config::LoadResult result;
  const config::VirtualServer& vs() const { return result.config->lvs.virtualServers.at(0); }
};

Loaded load(const std::string& vsBody) {
  Loaded l{config::loadConfigText("t.conf", "virtual_server 10.0.0.100 80 {\n" + vsBody + "\n}\n",
                                  config::LoadOptions{})};
  EXPECT_NE(l.result.config, nullptr);
  return l;
}

// Real servers 10.0.0.N (N = 1..count) of weight `weight`, one TCP_CHECK each.
std::string servers(int count, int weight, const std::string& extra = "") {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    text += "real_server 10.0.0." + std::to_string(i) + " 80 { weight " + std::to_string(weight) +
            "\n" + extra + " TCP_CHECK { connect_timeout 1 } }\n";
  }
  return text;
}

TEST(RealServerStateTest, UpOnlyWhenEveryCheckerIsUp) {
  RealServerState rs(5, {true, true});
  EXPECT_TRUE(rs.up());
  EXPECT_TRUE(rs.setChecker(0, false));
  EXPECT_FALSE(rs.up());
  EXPECT_FALSE(rs.setChecker(1, false));  // still down: no change
  EXPECT_FALSE(rs.setChecker(0, true));   // checker 1 is still down
  EXPECT_TRUE(rs.setChecker(1, true));
  EXPECT_TRUE(rs.up());
}

TEST(RealServerStateTest, WithoutCheckersAlwaysUp) {
  RealServerState rs(3, {});
  EXPECT_TRUE(rs.up());
  EXPECT_EQ(rs.weight(), 3u);
}

TEST(RealServerStateTest, MiscDynamicWeightReplacesConfiguredWeight) {
  RealServerState rs(10, {true});
  EXPECT_TRUE(rs.setDynamicWeight(0, 253));  // exit code 255
  EXPECT_EQ(rs.weight(), 253u);
  EXPECT_FALSE(rs.setDynamicWeight(0, 253));
  EXPECT_TRUE(rs.setDynamicWeight(0, std::nullopt));
  EXPECT_EQ(rs.weight(), 10u);
}

TEST(RealServerStateTest, TwoDynamicCheckersAddTheirAdjustments) {
  // keepalived: each dynamic checker moves the weight by (w - configured).
  RealServerState rs(10, {true, true});
  rs.setDynamicWeight(0, 15);  // +5
  rs.setDynamicWeight(1, 2);   // -8
  EXPECT_EQ(rs.weight(), 7u);
  rs.setDynamicWeight(1, 0);  // -10: 10 + 5 - 10
  EXPECT_EQ(rs.weight(), 5u);
}

TEST(RealServerStateTest, NegativeSumClampsToZero) {
  RealServerState rs(10, {true, true});
  rs.setDynamicWeight(0, 0);
  rs.setDynamicWeight(1, 0);
  EXPECT_EQ(rs.weight(), 0u);
}

// Dynamic weights are stored only once a checker sets one (issue 4): a
// server without any reads none, forgetting an unset weight changes
// nothing, bad indexes are still refused, and a reload carries weights both
// ways (set into a fresh server, cleared where the old one had none).
TEST(RealServerStateTest, DynamicWeightsExistOnlyOnceSetAndAdoptBothWays) {
  RealServerState fresh(10, {true, true});
  EXPECT_EQ(fresh.dynamicWeight(1), std::nullopt);
  EXPECT_THROW((void)fresh.dynamicWeight(2), std::out_of_range);
  EXPECT_THROW((void)fresh.setDynamicWeight(2, 5U), std::out_of_range);
  EXPECT_FALSE(fresh.setDynamicWeight(0, std::nullopt));
  EXPECT_EQ(fresh.weight(), 10U);

  RealServerState weighted(10, {true, true});
  EXPECT_TRUE(weighted.setDynamicWeight(1, 4U));
  fresh.adoptHealth(weighted);
  EXPECT_EQ(fresh.dynamicWeight(1), 4U);
  EXPECT_EQ(fresh.weight(), 4U);

  weighted.adoptHealth(RealServerState(10, {true, true}));
  EXPECT_EQ(weighted.dynamicWeight(1), std::nullopt);
  EXPECT_EQ(weighted.weight(), 10U);
}

// The first 64 checkers' states are held inline, the rest on the heap: a
// server with more keeps every one of them, across copies and a reload.
TEST(RealServerStateTest, AServerWithMoreThan64CheckersTracksEachOfThem) {
  std::vector<bool> initial(70, true);
  initial[68] = false;
  RealServerState state(3, initial);
  EXPECT_EQ(state.checkerCount(), 70U);
  EXPECT_FALSE(state.up());
  EXPECT_FALSE(state.checkerUp(68));
  EXPECT_TRUE(state.checkerUp(67));
  EXPECT_THROW((void)state.checkerUp(70), std::out_of_range);

  RealServerState copy = state;
  EXPECT_TRUE(state.setChecker(68, true));
  EXPECT_TRUE(state.up());
  EXPECT_FALSE(copy.up()) << "a copy has its own states";
  EXPECT_TRUE(state.setChecker(63, false));
  EXPECT_FALSE(state.setChecker(64, false)) << "already down";

  RealServerState reloaded(3, std::vector<bool>(66, true));
  reloaded.adoptHealth(state);
  EXPECT_FALSE(reloaded.checkerUp(63));
  EXPECT_FALSE(reloaded.checkerUp(64));
  EXPECT_TRUE(reloaded.checkerUp(65));
  EXPECT_FALSE(reloaded.setChecker(63, true)) << "checker 64 is still down";
  EXPECT_TRUE(reloaded.setChecker(64, true));
  EXPECT_TRUE(reloaded.up());
}

TEST(ServiceStateTest, StartsWithQuorumWhenServersAreUp) {
  Loaded l = load(servers(2, 1));
  ServiceState s(l.vs());
  EXPECT_TRUE(s.quorumUp());
  EXPECT_EQ(s.liveWeight(), 2u);
}

TEST(ServiceStateTest, AlphaStartsCheckersDownAndQuorumLost) {
  Loaded l = load("alpha\n" + servers(2, 1));
  ServiceState s(l.vs());
  EXPECT_FALSE(s.realServers()[0].up());
  EXPECT_FALSE(s.quorumUp());
  EXPECT_EQ(s.setChecker(0, 0, true),
            (std::vector<HealthEvent>{{Kind::RealServerUp, 0}, {Kind::QuorumUp, 0}}));
}

TEST(ServiceStateTest, LosingTheLastServerLosesDefaultQuorum) {
  Loaded l = load(servers(2, 1));
  ServiceState s(l.vs());
  EXPECT_EQ(s.setChecker(0, 0, false), (std::vector<HealthEvent>{{Kind::RealServerDown, 0}}));
  EXPECT_EQ(s.setChecker(1, 0, false),
            (std::vector<HealthEvent>{{Kind::RealServerDown, 1}, {Kind::QuorumDown, 0}}));
  EXPECT_EQ(s.setChecker(1, 0, true),
            (std::vector<HealthEvent>{{Kind::RealServerUp, 1}, {Kind::QuorumUp, 0}}));
}

TEST(ServiceStateTest, QuorumWithHysteresisIsADeadBand) {
  // Five servers of weight 1, quorum 3, hysteresis 1: lost below 2, regained at 4.
  Loaded l = load("quorum 3\nhysteresis 1\n" + servers(5, 1));
  ServiceState s(l.vs());
  ASSERT_TRUE(s.quorumUp());
  s.setChecker(0, 0, false);
  s.setChecker(1, 0, false);  // live 3
  EXPECT_TRUE(s.quorumUp());
  EXPECT_TRUE(s.setChecker(2, 0, false).size() == 1);  // live 2 = quorum - hysteresis: kept
  EXPECT_TRUE(s.quorumUp());
  EXPECT_EQ(s.setChecker(3, 0, false).back(), (HealthEvent{Kind::QuorumDown, 0}));  // live 1
  EXPECT_FALSE(s.quorumUp());
  s.setChecker(3, 0, true);  // live 2
  s.setChecker(2, 0, true);  // live 3 = quorum: not yet
  EXPECT_FALSE(s.quorumUp());
  EXPECT_EQ(s.setChecker(1, 0, true).back(), (HealthEvent{Kind::QuorumUp, 0}));  // live 4
  EXPECT_TRUE(s.quorumUp());
}

TEST(ServiceStateTest, DynamicWeightMovesTheQuorumButNotTheServer) {
  Loaded l =
      load("quorum 10\n" + std::string("real_server 10.0.0.1 80 { weight 10\n"
                                       " MISC_CHECK { misc_path /bin/true\n misc_dynamic } }\n"));
  ServiceState s(l.vs());
  ASSERT_TRUE(s.quorumUp());
  EXPECT_EQ(s.setDynamicWeight(0, 0, 4), (std::vector<HealthEvent>{{Kind::QuorumDown, 0}}));
  EXPECT_TRUE(s.realServers()[0].up());
  EXPECT_EQ(s.liveWeight(), 4u);
  EXPECT_EQ(s.setDynamicWeight(0, 0, 12), (std::vector<HealthEvent>{{Kind::QuorumUp, 0}}));
}

TEST(ServiceStateTest, OmegaShutdownReportsUpServersAndQuorumDown) {
  Loaded l = load(servers(2, 1));
  ServiceState s(l.vs());
  s.setChecker(1, 0, false);
  EXPECT_EQ(s.shutdownEvents(),
            (std::vector<HealthEvent>{{Kind::RealServerDown, 0}, {Kind::QuorumDown, 0}}));
}

TEST(ServiceStateTest, CurrentEventsDescribeEveryServerAndTheQuorum) {
  Loaded l = load(servers(2, 1));
  ServiceState s(l.vs());
  s.setChecker(0, 0, false);
  EXPECT_EQ(s.currentEvents(),
            (std::vector<HealthEvent>{
                {Kind::RealServerDown, 0}, {Kind::RealServerUp, 1}, {Kind::QuorumUp, 0}}));
}

TEST(ServiceStateTest, ReloadKeepsHealthAndReevaluatesAgainstTheOldQuorum) {
  Loaded l = load(servers(2, 1));
  ServiceState before(l.vs());
  before.setChecker(0, 0, false);
  before.setChecker(1, 0, false);
  ASSERT_FALSE(before.quorumUp());
  ServiceState after(l.vs());
  after.adoptHealth(0, before.realServers()[0]);
  after.adoptHealth(1, before.realServers()[1]);
  EXPECT_TRUE(after.reevaluateQuorum(before.quorumUp()).empty());
  EXPECT_FALSE(after.quorumUp());
  EXPECT_FALSE(after.realServers()[0].up());
}

// The running live weight must give the decisions of a full recount. A
// reference model recounts after every event of a random (fixed-seed)
// sequence of checker and misc_dynamic changes on a large service.
TEST(ServiceStateTest, RunningLiveWeightMatchesBruteForceRecount) {
  constexpr int kServers = 600;
  std::string text = "quorum 800\nhysteresis 100\n";
  for (int i = 0; i < kServers; ++i) {
    text += "real_server 10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) +
            " 80 { weight " + std::to_string(i % 7 + 1) +
            "\n TCP_CHECK { connect_timeout 1 }\n"
            " MISC_CHECK { misc_path /bin/true\n misc_dynamic } }\n";
  }
  Loaded l = load(text);
  ServiceState s(l.vs());
  auto recount = [&s] {
    uint64_t sum = 0;
    for (const RealServerState& rs : s.realServers()) {
      sum += rs.up() ? rs.weight() : 0;
    }
    return static_cast<int64_t>(sum);
  };
  bool expectedUp = recount() > 0 && recount() >= 800;
  ASSERT_EQ(s.quorumUp(), expectedUp);
  std::mt19937 random(20261121);
  std::uniform_int_distribution<int> server(0, kServers - 1);
  std::uniform_int_distribution<int> action(0, 9);
  int quorumChanges = 0;
  for (int step = 0; step < 40000; ++step) {
    const auto rs = static_cast<size_t>(server(random));
    const int a = action(random);
    std::vector<HealthEvent> events;
    // Phases of 4,000 events that mostly fail then mostly recover checkers,
    // so the live weight crosses the dead band both ways.
    std::bernoulli_distribution upChance((step / 4000) % 2 == 1 ? 0.8 : 0.2);
    if (a < 8) {
      events = s.setChecker(rs, static_cast<size_t>(a % 2), upChance(random));
    } else if (a < 9) {
      events = s.setDynamicWeight(rs, 1, static_cast<uint32_t>(random() % 10));
    } else {
      events = s.setDynamicWeight(rs, 1, std::nullopt);
    }
    const int64_t live = recount();
    ASSERT_EQ(static_cast<int64_t>(s.liveWeight()), live) << "step " << step;
    const bool wasUp = expectedUp;
    if (expectedUp && (live == 0 || live < 800 - 100)) {
      expectedUp = false;
    } else if (!expectedUp && live > 0 && live >= 800 + 100) {
      expectedUp = true;
    }
    ASSERT_EQ(s.quorumUp(), expectedUp) << "step " << step;
    const bool reported = !events.empty() && (events.back().kind == Kind::QuorumUp ||
                                              events.back().kind == Kind::QuorumDown);
    ASSERT_EQ(reported, wasUp != expectedUp) << "step " << step;
    quorumChanges += reported ? 1 : 0;
  }
  EXPECT_GE(quorumChanges, 4);  // the sequence really exercised both transitions
}

}  // namespace
}  // namespace vigil::check
