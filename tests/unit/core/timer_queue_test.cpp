#include "core/timer_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil {
namespace {

using std::chrono::milliseconds;

TEST(TimerQueue, RecordsHowLateTimersFired) {
  ManualClock clock;
  TimerQueue queue(clock);
  std::vector<Duration> observed;
  queue.setLatenessObserver([&](Duration d) { observed.push_back(d); });
  auto a = queue.create([] {});
  auto b = queue.create([] {});
  a->armAfter(milliseconds(10));
  b->armAfter(milliseconds(20));

  clock.advance(milliseconds(25));
  EXPECT_TRUE(queue.fireNextDue(clock.now()));
  EXPECT_TRUE(queue.fireNextDue(clock.now()));
  EXPECT_FALSE(queue.fireNextDue(clock.now()));

  EXPECT_EQ(queue.lateness().count, 2u);
  EXPECT_EQ(queue.lateness().max, milliseconds(15));
  EXPECT_EQ(queue.lateness().total, milliseconds(20));
  EXPECT_EQ(observed, (std::vector<Duration>{milliseconds(15), milliseconds(5)}));
}

TEST(TimerQueue, SequenceLimitDefersTimersArmedDuringABatch) {
  ManualClock clock;
  TimerQueue queue(clock);
  int fired = 0;
  std::unique_ptr<Timer> again;
  again = queue.create([&] {
    ++fired;
    again->armAfter(Duration{0});  // due immediately, but armed in the batch
  });
  again->armAfter(Duration{0});
  uint64_t mark = queue.sequenceMark();
  while (queue.fireNextDue(clock.now(), mark)) {
  }
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(again->armed());
}

TEST(TimerQueue, NotDueYetDoesNotFire) {
  ManualClock clock;
  TimerQueue queue(clock);
  bool fired = false;
  auto t = queue.create([&] { fired = true; });
  t->armAfter(milliseconds(1));
  EXPECT_EQ(queue.nextDeadline(), clock.now() + milliseconds(1));
  EXPECT_FALSE(queue.fireNextDue(clock.now()));
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace vigil
