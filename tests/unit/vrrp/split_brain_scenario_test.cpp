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
using testing::routerParams;
using testing::SimulatedLan;
using testing::SimulatedRouter;

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
// answers: one above it with preempt discards them; one above it with
// preempt_delay, and one below, follow them as they follow the master's
// advert of the same instant (the answer's interval is the master's), until
// the master's next advert. None takes over or starts an election.
TEST_F(SplitBrainScenarioTest, AnswersMoveNoThirdRouter) {
  buildPair();
  SimulatedRouter& above = add("C", routerParams(120, "10.0.0.3"));
  InstanceParams belowParams = routerParams(50, "10.0.0.4");
  belowParams.preempt = false;
  SimulatedRouter& below = add("D", belowParams);
  InstanceParams delayedParams = routerParams(110, "10.0.0.5");
  delayedParams.preemptDelay = std::chrono::milliseconds(500);
  SimulatedRouter& delayed = add("E", delayedParams);
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
  EXPECT_EQ(delayed.state(), State::Backup);
  EXPECT_FALSE(above.enteredAt(NotifyKind::Master).has_value());
  EXPECT_FALSE(below.enteredAt(NotifyKind::Master).has_value());
  EXPECT_FALSE(delayed.enteredAt(NotifyKind::Master).has_value());
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 1);
  EXPECT_EQ(since(a_->lastGratuitousAt(kLowerPrio)), kAAdverts + seconds(19));
  EXPECT_EQ(delayed.instance().masterAddress, a_->params().primaryAddress);
  EXPECT_EQ(delayed.instance().masterPriority, 150);
}

// v3 answers carry the yielding router's own interval, which a Backup that
// follows them adopts: B at 0.5 s under A at 3 s would give D a
// Master_Down_Interval shorter than A's advert interval. B therefore steps
// down silently; D and A never hear from it after the heal. A does not
// reply to lower adverts (lower_prio_no_advert), which would otherwise end
// B's answers at the first.
TEST_F(SplitBrainScenarioTest, NoAnswersWhenTheWinnersIntervalDiffers) {
  InstanceParams aParams = routerParams(150, "10.0.0.1");
  aParams.advertInterval = Centiseconds(300);
  aParams.lowerPrioNoAdvert = true;
  a_ = &add("A", aParams);
  InstanceParams bParams = routerParams(100, "10.0.0.2");
  bParams.advertInterval = Centiseconds(50);
  b_ = &add("B", bParams);
  InstanceParams belowParams = routerParams(50, "10.0.0.4");
  belowParams.preempt = false;
  belowParams.advertInterval = Centiseconds(300);
  SimulatedRouter& below = add("D", belowParams);
  startAll();
  isolate(*b_, seconds(20));
  runTo(seconds(40));
  ASSERT_EQ(masters(), 2);

  healInboundFirst(*b_, seconds(40), seconds(4));  // B hears A's advert first
  ASSERT_EQ(b_->state(), State::Backup);
  const int sentAsBackup = b_->advertsSent();
  runTo(seconds(80));
  EXPECT_EQ(b_->advertsSent(), sentAsBackup) << "no answers at B's interval";
  EXPECT_EQ(a_->gratuitousCount(kLowerPrio), 0);
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_EQ(below.state(), State::Backup);
  EXPECT_EQ(below.enteredAt(NotifyKind::Master), std::nullopt);
  EXPECT_EQ(below.instance().masterAdverInterval, Centiseconds(300));
}

}  // namespace
}  // namespace vigil::vrrp
