#include "core/simulated_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SimulatedLoop, FiresTimersInDeadlineOrderWithClockAtEachDeadline) {
  SimulatedLoop loop;
  TimePoint start = loop.now();
  std::vector<std::pair<std::string, Duration>> fired;
  auto record = [&](std::string name) {
    return [&, name] { fired.emplace_back(name, loop.now() - start); };
  };
  auto late = loop.createTimer(record("late"));
  auto early = loop.createTimer(record("early"));
  auto middle = loop.createTimer(record("middle"));
  late->armAfter(milliseconds(300));
  early->armAfter(milliseconds(100));
  middle->armAfter(milliseconds(200));

  loop.advance(milliseconds(250));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(std::string("early"), Duration(milliseconds(100))));
  EXPECT_EQ(fired[1], std::make_pair(std::string("middle"), Duration(milliseconds(200))));
  EXPECT_EQ(loop.now() - start, milliseconds(250));
  EXPECT_TRUE(late->armed());

  loop.advance(milliseconds(50));
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[2].first, "late");
  EXPECT_FALSE(late->armed());
}

// A stamped timer fires at its deadline, and its callback is told so, also
// when the loop was stalled past it (then with the time it fired late at).
TEST(SimulatedLoop, StampedTimerGetsTheTimeItFired) {
  SimulatedLoop loop;
  const TimePoint start = loop.now();
  std::vector<TimePoint> seen;
  auto timer = loop.createStampedTimer([&](TimePoint at) { seen.push_back(at); });
  timer->armAfter(milliseconds(10));
  loop.advance(milliseconds(30));
  timer->armAfter(milliseconds(10));
  loop.stall(milliseconds(15));
  loop.advance(milliseconds(1));
  EXPECT_EQ(seen, (std::vector<TimePoint>{start + milliseconds(10), start + milliseconds(45)}));
}

TEST(SimulatedLoop, EqualDeadlinesFireInArmingOrder) {
  SimulatedLoop loop;
  std::string order;
  auto a = loop.createTimer([&] { order += 'a'; });
  auto b = loop.createTimer([&] { order += 'b'; });
  auto c = loop.createTimer([&] { order += 'c'; });
  TimePoint deadline = loop.now() + seconds(1);
  b->armAt(deadline);
  c->armAt(deadline);
  a->armAt(deadline);
  loop.advance(seconds(1));
  EXPECT_EQ(order, "bca");
}

TEST(SimulatedLoop, RearmingMovesTheDeadlineAndCountsAsNewArming) {
  SimulatedLoop loop;
  std::string order;
  auto a = loop.createTimer([&] { order += 'a'; });
  auto b = loop.createTimer([&] { order += 'b'; });
  a->armAfter(seconds(1));
  b->armAfter(seconds(1));
  a->armAfter(seconds(1));  // now after b among equals
  loop.advance(seconds(1));
  EXPECT_EQ(order, "ba");

  a->armAfter(seconds(5));
  a->armAfter(seconds(2));
  loop.advance(seconds(2));
  EXPECT_EQ(order, "baa");
  EXPECT_EQ(loop.armedTimers(), 0u);
}

TEST(SimulatedLoop, CancelledAndDestroyedTimersDoNotFire) {
  SimulatedLoop loop;
  int fired = 0;
  auto cancelled = loop.createTimer([&] { ++fired; });
  auto destroyed = loop.createTimer([&] { ++fired; });
  cancelled->armAfter(seconds(1));
  destroyed->armAfter(seconds(1));
  cancelled->cancel();
  destroyed.reset();
  loop.advance(seconds(2));
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(cancelled->armed());
}

TEST(SimulatedLoop, CallbackMayDestroyItsOwnTimerAndCancelOthers) {
  SimulatedLoop loop;
  std::unique_ptr<Timer> self;
  std::unique_ptr<Timer> other;
  std::string order;
  self = loop.createTimer([&] {
    order += 's';
    self.reset();
    other->cancel();
  });
  other = loop.createTimer([&] { order += 'o'; });
  self->armAfter(seconds(1));
  other->armAfter(seconds(1));
  loop.advance(seconds(1));
  EXPECT_EQ(order, "s");
  EXPECT_EQ(self, nullptr);
}

TEST(SimulatedLoop, PeriodicTimerArmedFromItsCallbackFiresEachPeriod) {
  SimulatedLoop loop;
  TimePoint start = loop.now();
  std::vector<Duration> at;
  std::unique_ptr<Timer> tick;
  tick = loop.createTimer([&] {
    at.push_back(loop.now() - start);
    tick->armAfter(seconds(1));
  });
  tick->armAfter(seconds(1));
  loop.advance(milliseconds(3500));
  EXPECT_EQ(at, (std::vector<Duration>{seconds(1), seconds(2), seconds(3)}));
}

TEST(SimulatedLoop, TimerCreatedInCallbackFiresInTheSameAdvanceWhenDue) {
  SimulatedLoop loop;
  std::unique_ptr<Timer> second;
  bool secondFired = false;
  auto first = loop.createTimer([&] {
    second = loop.createTimer([&] { secondFired = true; });
    second->armAfter(milliseconds(10));
  });
  first->armAfter(milliseconds(10));
  loop.advance(milliseconds(20));
  EXPECT_TRUE(secondFired);
}

TEST(SimulatedLoop, PostedCallbacksRunBeforeTheNextTimer) {
  SimulatedLoop loop;
  std::string order;
  auto a = loop.createTimer([&] {
    order += 'a';
    loop.post([&] { order += 'p'; });
  });
  auto b = loop.createTimer([&] { order += 'b'; });
  a->armAfter(seconds(1));
  b->armAfter(seconds(1));
  loop.advance(seconds(1));
  EXPECT_EQ(order, "apb");

  loop.post([&] { order += 'x'; });
  loop.runPosted();
  EXPECT_EQ(order, "apbx");
}

TEST(SimulatedLoop, FdWatchesAreFiredByHand) {
  SimulatedLoop loop;
  uint32_t seen = 0;
  auto watch = loop.watchFd(42, EPOLLIN, [&](uint32_t events) { seen = events; });
  EXPECT_EQ(loop.watchedEvents(42), std::optional<uint32_t>(EPOLLIN));
  watch->setEvents(EPOLLIN | EPOLLOUT);
  EXPECT_EQ(loop.watchedEvents(42), std::optional<uint32_t>(EPOLLIN | EPOLLOUT));
  EXPECT_TRUE(loop.fire(42, EPOLLOUT));
  EXPECT_EQ(seen, static_cast<uint32_t>(EPOLLOUT));
  watch.reset();
  EXPECT_FALSE(loop.fire(42, EPOLLIN));
  EXPECT_EQ(loop.watchedEvents(42), std::nullopt);
}

TEST(SimulatedLoop, TimersOutlivingTheLoopAreInert) {
  std::unique_ptr<Timer> timer;
  {
    SimulatedLoop loop;
    timer = loop.createTimer([] {});
    timer->armAfter(seconds(1));
  }
  EXPECT_FALSE(timer->armed());
  timer->armAfter(seconds(1));
  EXPECT_FALSE(timer->armed());
}

}  // namespace
}  // namespace vigil
