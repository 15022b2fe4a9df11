// Split brain and heal on a simulated LAN whose paths open one direction at
// a time: after the heal the true master must re-send its GARPs whichever
// router hears the other first, with no garp_master_refresh.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "simulated_lan.h"

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using testing::SimulatedLan;
using testing::SimulatedRouter;

InstanceParams routerParams(uint8_t priority, const char* address) {
  InstanceParams p;
  p.version = 3;
  p.vrid = 51;
  p.priority = priority;
  p.advertInterval = Centiseconds(100);
  p.primaryAddress = *IpAddress::parse(address);
  p.addresses = {*IpAddress::parse("10.0.0.100")};
  return p;
}

// Master_Down_Interval at 1 s: 3 s + (256 - priority) / 256 s.
const Duration kMdi150 = microseconds(3414062);
const Duration kMdi100 = microseconds(3609375);
// A (150) advertises at kMdi150 + k s. Cut off at 10 s, B (100) last heard
// it at 9.414062 s and becomes MASTER a Master_Down_Interval later, then
// advertises every second from there.
const Duration kAAdverts = kMdi150;
const Duration kBMaster = kMdi150 + seconds(6) + kMdi100;

constexpr auto kLowerPrio = GratuitousReason::LowerPriorityAdvert;

class SplitBrainScenarioTest : public ::testing::Test {
 protected:
  SimulatedRouter& add(const char* name, InstanceParams params) {
    routers_.push_back(std::make_unique<SimulatedRouter>(name, loop_, lan_, std::move(params)));
    lan_.attach(routers_.back().get());
    return *routers_.back();
  }
  void buildPair() {
    a_ = &add("A", routerParams(150, "10.0.0.1"));
    b_ = &add("B", routerParams(100, "10.0.0.2"));
  }
  void startAll() {
    for (auto& r : routers_) r->handle(Startup{});
    loop_.runPosted();
  }
  void runTo(Duration at) { loop_.advanceTo(start_ + at); }
  // Cuts `router` off the LAN in both directions at `at`.
  void isolate(SimulatedRouter& router, Duration at) {
    runTo(at);
    lan_.setPlugged(&router, false);
  }
  // Reconnects `router` one direction at a time: first everyone -> router,
  // then router -> everyone `gap` later.
  void healInboundFirst(SimulatedRouter& router, Duration at, Duration gap) {
    runTo(at);
    lan_.setPlugged(&router, true);
    for (auto& other : routers_) lan_.setPath(&router, other.get(), false);
    runTo(at + gap);
    for (auto& other : routers_) lan_.setPath(&router, other.get(), true);
  }
  void healOutboundFirst(SimulatedRouter& router, Duration at, Duration gap) {
    runTo(at);
    lan_.setPlugged(&router, true);
    for (auto& other : routers_) lan_.setPath(other.get(), &router, false);
    runTo(at + gap);
    for (auto& other : routers_) lan_.setPath(other.get(), &router, true);
  }
  Duration since(std::optional<TimePoint> t) const { return t ? *t - start_ : Duration::max(); }
  int masters() const {
    int n = 0;
    for (auto& r : routers_) n += r->state() == State::Master;
    return n;
  }

  SimulatedLoop loop_;
  TimePoint start_ = loop_.now();
  SimulatedLan lan_{loop_};
  std::vector<std::unique_ptr<SimulatedRouter>> routers_;
  SimulatedRouter* a_ = nullptr;
  SimulatedRouter* b_ = nullptr;
};

TEST_F(SplitBrainScenarioTest, BothAreMasterWhileSplit) {
  buildPair();
  startAll();
  isolate(*a_, seconds(10));
  runTo(seconds(20));
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), kBMaster);
  EXPECT_EQ(masters(), 2);
}

// The order that used to leave the VIP announced by nobody: B hears A
// first and steps down while its own packets still cannot reach A. B
// answers each of A's adverts at its own priority; the first that gets
// through makes A re-send its GARPs, and A's immediate reply stops B.
TEST_F(SplitBrainScenarioTest, LowerRouterHearsTheHigherFirstAndTheMasterStillReGarps) {
  buildPair();
  startAll();
  isolate(*a_, seconds(10));
  healOutboundFirst(*a_, seconds(20), seconds(2));  // A -> B at 20 s, B -> A at 22 s
  runTo(seconds(21));
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Backup)), kAAdverts + seconds(17));
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 0) << "nothing of B's has reached A yet";

  runTo(seconds(60));
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_FALSE(b_->holdsVips());
  // A's first advert after B -> A opens (22.414062 s) draws B's answer.
  EXPECT_EQ(since(a_->lastGratuitousAt(kLowerPrio)), kAAdverts + seconds(19));
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 1) << "A's reply ends B's answers";
}

// B keeps answering for kSplitBrainAnswers of A's adverts at most.
TEST_F(SplitBrainScenarioTest, AnswersStopAfterTheLimitWhenTheHealTakesLonger) {
  buildPair();
  startAll();
  isolate(*a_, seconds(10));
  const int before = b_->advertsSent();
  healOutboundFirst(*a_, seconds(20), seconds(40));
  runTo(seconds(80));
  const int asMaster = 8;  // on becoming MASTER at 13.02 s, then 14.02 .. 20.02 s
  EXPECT_EQ(b_->advertsSent() - before - asMaster, kSplitBrainAnswers);
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 0) << "healed after B stopped answering";
  EXPECT_EQ(masters(), 1);
}

// The other order: A hears B first, re-asserts itself (its replies and
// GARPs are lost), and keeps doing so at each of B's adverts; the first
// reply that gets through moves B, whose answer makes A GARP once more,
// after the heal is complete.
TEST_F(SplitBrainScenarioTest, HigherRouterHearsTheLowerFirstAndReGarpsAfterTheHeal) {
  buildPair();
  startAll();
  isolate(*a_, seconds(10));
  healInboundFirst(*a_, seconds(20), seconds(2));  // B -> A at 20 s, A -> B at 22 s
  runTo(seconds(60));
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Backup)), kBMaster + seconds(9));
  EXPECT_EQ(since(a_->lastGratuitousAt(kLowerPrio)), kBMaster + seconds(9));
  // At B's adverts at 20 and 21 s (lost) and twice at 22 s: its advert,
  // then its answer after it stepped down.
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 4);
}

// Third routers on the true master's side hear the yielded router's
// answers: one above it with preempt discards them, one below follows
// them as it follows the master's advert of the same instant. Neither
// takes over or starts an election.
TEST_F(SplitBrainScenarioTest, AnswersMoveNoThirdRouter) {
  buildPair();
  SimulatedRouter& above = add("C", routerParams(120, "10.0.0.3"));
  InstanceParams belowParams = routerParams(50, "10.0.0.4");
  belowParams.preempt = false;
  SimulatedRouter& below = add("D", belowParams);
  startAll();
  isolate(*b_, seconds(10));  // B alone becomes MASTER
  runTo(seconds(20));
  EXPECT_EQ(masters(), 2);

  healInboundFirst(*b_, seconds(20), seconds(2));  // B hears everyone first
  runTo(seconds(60));
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_EQ(above.state(), State::Backup);
  EXPECT_EQ(below.state(), State::Backup);
  EXPECT_FALSE(above.enteredAt(NotifyKind::Master).has_value());
  EXPECT_FALSE(below.enteredAt(NotifyKind::Master).has_value());
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 1);
  EXPECT_EQ(since(a_->lastGratuitousAt(kLowerPrio)), kAAdverts + seconds(19));
}

}  // namespace
}  // namespace vigil::vrrp
