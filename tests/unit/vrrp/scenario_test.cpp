// Two routers on a simulated LAN: RFC 5798 elections and failovers with
// exact timings, driven by a SimulatedLoop (no sockets, no sleeping).
#include <gtest/gtest.h>

#include "simulated_lan.h"

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::routerParams;
using testing::SimulatedLan;
using testing::SimulatedRouter;

class VrrpScenarioTest : public ::testing::Test {
 protected:
  // A: priority 150 at 10.0.0.1; B: priority 100 at 10.0.0.2.
  void build(InstanceParams a, InstanceParams b) {
    a_ = std::make_unique<SimulatedRouter>("A", loop_, lan_, std::move(a));
    b_ = std::make_unique<SimulatedRouter>("B", loop_, lan_, std::move(b));
    lan_.attach(a_.get());
    lan_.attach(b_.get());
  }
  void build() { build(routerParams(150, "10.0.0.1"), routerParams(100, "10.0.0.2")); }

  // Runs until `at` after the start.
  void runTo(Duration at) { loop_.advanceTo(start_ + at); }
  void at(Duration when, const std::function<void()>& what) {
    runTo(when);
    what();
    loop_.runPosted();
  }
  Duration since(std::optional<TimePoint> t) const { return t ? *t - start_ : Duration::max(); }

  int masters() const { return (a_->state() == State::Master) + (b_->state() == State::Master); }

  SimulatedLoop loop_;
  TimePoint start_ = loop_.now();
  SimulatedLan lan_{loop_};
  std::unique_ptr<SimulatedRouter> a_;
  std::unique_ptr<SimulatedRouter> b_;
};

// Master_Down_Interval at 1 s: 3 s + (256 - priority) / 256 s.
const Duration kMdi150 = microseconds(3414062);
const Duration kMdi100 = microseconds(3609375);

TEST_F(VrrpScenarioTest, ElectionPicksTheHigherPriority) {
  build();
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  runTo(seconds(30));
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_EQ(since(a_->enteredAt(NotifyKind::Master)), kMdi150);
  EXPECT_FALSE(b_->enteredAt(NotifyKind::Master).has_value());
  EXPECT_TRUE(a_->holdsVips());
  EXPECT_FALSE(b_->holdsVips());
  EXPECT_EQ(a_->rejected() + b_->rejected(), 0);
}

TEST_F(VrrpScenarioTest, HardFailureThenSplitBrainRecovery) {
  build();
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  // A advertises at 3.414062 + k s; unplug it at 10 s. B last heard it at
  // 9.414062 s and takes over one Master_Down_Interval later.
  at(seconds(10), [&] { lan_.setPlugged(a_.get(), false); });
  runTo(seconds(20));
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), kMdi150 + seconds(6) + kMdi100);
  EXPECT_EQ(masters(), 2) << "A cannot hear that it lost the VIP";

  // Plugged back: A (higher) hears B's lower advert, re-asserts itself with
  // an advert and GARPs; B hears A and steps down.
  at(seconds(20), [&] { lan_.setPlugged(a_.get(), true); });
  runTo(seconds(25));
  EXPECT_EQ(a_->state(), State::Master);
  EXPECT_EQ(b_->state(), State::Backup);
  EXPECT_FALSE(b_->holdsVips());
  EXPECT_GE(a_->gratuitousCount(GratuitousReason::LowerPriorityAdvert), 1);
}

TEST_F(VrrpScenarioTest, GracefulStopHandsOverAfterSkewTime) {
  build();
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  at(seconds(10), [&] { a_->handle(Shutdown{}); });
  runTo(seconds(15));
  // Priority 0 advert: B waits Skew_Time only (156/256 s).
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), seconds(10) + microseconds(609375));
  EXPECT_EQ(a_->state(), State::Initialize);
  EXPECT_FALSE(a_->holdsVips());
  EXPECT_EQ(masters(), 1);
}

TEST_F(VrrpScenarioTest, HigherPriorityPreemptsWhenItArrives) {
  build();
  at(Duration{0}, [&] { b_->handle(Startup{}); });
  at(milliseconds(10300), [&] { a_->handle(Startup{}); });
  runTo(seconds(30));
  // A discards B's lower adverts, so its first Master_Down_Timer runs out.
  EXPECT_EQ(since(a_->enteredAt(NotifyKind::Master)), milliseconds(10300) + kMdi150);
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Backup)), milliseconds(10300) + kMdi150);
  EXPECT_EQ(masters(), 1);
  EXPECT_EQ(a_->state(), State::Master);
}

TEST_F(VrrpScenarioTest, NopreemptLeavesTheLowerMasterInPlace) {
  InstanceParams a = routerParams(150, "10.0.0.1");
  a.preempt = false;
  build(a, routerParams(100, "10.0.0.2"));
  at(Duration{0}, [&] { b_->handle(Startup{}); });
  at(milliseconds(10300), [&] { a_->handle(Startup{}); });
  runTo(seconds(60));
  EXPECT_EQ(a_->state(), State::Backup);
  EXPECT_EQ(b_->state(), State::Master);
}

TEST_F(VrrpScenarioTest, PreemptDelayHoldsOffTheTakeover) {
  InstanceParams a = routerParams(150, "10.0.0.1");
  a.preemptDelay = milliseconds(4500);
  build(a, routerParams(100, "10.0.0.2"));
  at(Duration{0}, [&] { b_->handle(Startup{}); });
  at(milliseconds(10300), [&] { a_->handle(Startup{}); });
  runTo(seconds(40));
  // B advertises at 3.609375 + k s. A follows B from its first advert
  // (10.609375 s) until the delay ends (15.109375 s); the last advert it
  // followed (14.609375 s) plus Master_Down_Interval is the takeover.
  EXPECT_EQ(since(a_->enteredAt(NotifyKind::Master)), microseconds(14609375) + kMdi150);
  EXPECT_EQ(masters(), 1);
}

TEST_F(VrrpScenarioTest, TrackingWeightHandsOverToTheBackup) {
  build();
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  // A's tracked script fails (weight -100): it advertises 50 at once, B
  // discards that and takes over when its timer, last reset at 9.414062 s,
  // runs out.
  at(seconds(10), [&] { a_->handle(PriorityChanged{50}); });
  runTo(seconds(20));
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), kMdi150 + seconds(6) + kMdi100);
  EXPECT_EQ(a_->state(), State::Backup);
  EXPECT_EQ(b_->state(), State::Master);
}

TEST_F(VrrpScenarioTest, FaultHandsOverAndRecoveryPreempts) {
  build();
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  at(seconds(10), [&] { a_->handle(FaultRaised{}); });
  runTo(seconds(20));
  EXPECT_EQ(a_->state(), State::Fault);
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), seconds(10) + microseconds(609375));
  at(seconds(20), [&] { a_->handle(FaultCleared{}); });
  runTo(seconds(30));
  EXPECT_EQ(since(a_->enteredAt(NotifyKind::Master)), seconds(20) + kMdi150);
  EXPECT_EQ(b_->state(), State::Backup);
}

TEST_F(VrrpScenarioTest, FastV3IntervalFailsOverIn36Milliseconds) {
  InstanceParams a = routerParams(150, "10.0.0.1");
  InstanceParams b = routerParams(100, "10.0.0.2");
  a.advertInterval = b.advertInterval = Centiseconds(1);
  build(a, b);
  at(Duration{0}, [&] {
    a_->handle(Startup{});
    b_->handle(Startup{});
  });
  runTo(seconds(1));
  ASSERT_EQ(a_->state(), State::Master);
  // A became master at 3 * 10 ms + 106 * 10 ms / 256 = 34.140 ms and
  // advertises every 10 ms after; its advert at 994.140 ms is the last B
  // hears before the unplug.
  at(seconds(1), [&] { lan_.setPlugged(a_.get(), false); });
  runTo(seconds(2));
  EXPECT_EQ(since(b_->enteredAt(NotifyKind::Master)), microseconds(994140) + microseconds(36093));
}

}  // namespace
}  // namespace vigil::vrrp
