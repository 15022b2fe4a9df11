#include "core/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/timer_entry.h"

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

// A stamped timer's callback gets the time fireNextDue was given (what the
// loop read to fire it), not a later reading of the clock.
TEST(TimerQueue, StampedTimerGetsTheTimeItWasFiredAt) {
  ManualClock clock;
  TimerQueue queue(clock);
  std::vector<TimePoint> seen;
  auto timer =
      queue.create(EventLoop::StampedCallback([&](TimePoint firedAt) { seen.push_back(firedAt); }));
  timer->armAfter(milliseconds(10));
  const TimePoint firedAt = clock.now() + milliseconds(12);
  clock.advance(milliseconds(15));  // the clock moved on after the loop read it
  EXPECT_TRUE(queue.fireNextDue(firedAt));
  EXPECT_EQ(seen, std::vector<TimePoint>{firedAt});
  EXPECT_EQ(queue.lateness().total, milliseconds(2));
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

TEST(TimerQueue, FrontArmedBeforeSaysWhetherABatchCanFireMore) {
  ManualClock clock;
  TimerQueue queue(clock);
  EXPECT_FALSE(queue.frontArmedBefore(queue.sequenceMark()));  // nothing armed
  std::unique_ptr<Timer> again;
  again = queue.create([&] { again->armAfter(milliseconds(1)); });
  again->armAfter(Duration{0});
  const uint64_t mark = queue.sequenceMark();
  EXPECT_TRUE(queue.frontArmedBefore(mark));
  EXPECT_TRUE(queue.fireNextDue(clock.now(), mark));
  // Re-armed inside the batch: the loop may stop without reading its clock.
  EXPECT_FALSE(queue.frontArmedBefore(mark));
  EXPECT_TRUE(queue.frontArmedBefore(queue.sequenceMark()));
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

// The queue holds a timer's callback in the timer itself and moves it out
// while it runs: a callback that destroys its own timer still runs to its
// end with its captures intact, one that re-arms it keeps firing, and one
// that destroys another timer due in the same batch stops that one.
TEST(TimerQueue, CallbackKeepsItsCapturesWhenItDestroysItsOwnTimer) {
  ManualClock clock;
  TimerQueue queue(clock);
  std::unique_ptr<Timer> self;
  std::unique_ptr<Timer> other;
  std::vector<std::string> heard;
  const std::string word(64, 'x');  // beyond std::function's own storage
  self = queue.create([&, word] {
    self.reset();
    other.reset();
    heard.push_back(word);
  });
  other = queue.create([&] { heard.emplace_back("other"); });
  self->armAfter(milliseconds(1));
  other->armAfter(milliseconds(1));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(queue.fireNextDue(clock.now()));
  EXPECT_FALSE(queue.fireNextDue(clock.now()));
  EXPECT_EQ(heard, std::vector<std::string>{word});

  int fired = 0;
  std::unique_ptr<Timer> again;
  again = queue.create([&, word] {
    if (++fired < 3 && word.size() == 64) again->armAfter(milliseconds(1));
  });
  again->armAfter(milliseconds(1));
  for (int i = 0; i < 5; ++i) {
    clock.advance(milliseconds(1));
    (void)queue.fireNextDue(clock.now());
  }
  EXPECT_EQ(fired, 3);
  EXPECT_FALSE(again->armed());
}

TEST(TimerQueue, ATimerWhoseCallbackThrowsKeepsItsCallback) {
  ManualClock clock;
  TimerQueue queue(clock);
  int fired = 0;
  std::unique_ptr<Timer> timer = queue.create([&] {
    if (++fired == 1) throw std::runtime_error("first fire");
  });
  timer->armAfter(milliseconds(1));
  clock.advance(milliseconds(1));
  EXPECT_THROW((void)queue.fireNextDue(clock.now()), std::runtime_error);
  // Destroying a timer walks the running callbacks: none is left from the
  // throw (ASan would see a dangling frame here).
  std::unique_ptr<Timer> other = queue.create([] {});
  other.reset();
  timer->armAfter(milliseconds(1));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(queue.fireNextDue(clock.now()));
  EXPECT_EQ(fired, 2);
}

// Many timers armed, re-armed earlier and later, cancelled and destroyed in
// a seeded random order fire exactly once each, in (deadline, last arming)
// order: the heap keeps the order the queue promises.
TEST(TimerQueue, FiresInDeadlineThenArmingOrderUnderRandomChurn) {
  ManualClock clock;
  TimerQueue queue(clock);
  constexpr int kTimers = 300;
  std::vector<int> fired;
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < kTimers; ++i) {
    timers.push_back(queue.create([&fired, i] { fired.push_back(i); }));
  }
  // What each timer should fire as: (deadline, arming order), or unarmed.
  std::vector<std::optional<std::pair<Duration, int>>> expected(kTimers);
  std::mt19937 random(42);
  int arming = 0;
  for (int step = 0; step < 3000; ++step) {
    int i = static_cast<int>(random() % kTimers);
    switch (random() % 4) {
      case 0:
      case 1: {
        Duration deadline = milliseconds(random() % 50);  // ties are common
        timers[i]->armAt(clock.now() + deadline);
        expected[i] = std::pair{deadline, arming++};
        break;
      }
      default:
        timers[i]->cancel();
        expected[i].reset();
        break;
    }
    ASSERT_EQ(timers[i]->armed(), expected[i].has_value());
  }
  timers[7].reset();  // destroying an armed or unarmed timer unqueues it
  expected[7].reset();
  std::vector<std::tuple<Duration, int, int>> order;
  for (int i = 0; i < kTimers; ++i) {
    if (expected[i]) {
      order.emplace_back(expected[i]->first, expected[i]->second, i);
    }
  }
  std::sort(order.begin(), order.end());
  std::vector<int> want;
  for (const auto& [deadline, sequence, i] : order) {
    want.push_back(i);
  }
  EXPECT_EQ(queue.armedCount(), want.size());
  clock.advance(milliseconds(50));
  while (queue.fireNextDue(clock.now())) {
  }
  EXPECT_EQ(fired, want);
  EXPECT_EQ(queue.armedCount(), 0U);
}

// A check worker's pattern: streams of timers each armed in deadline order
// (connect timeouts at now + 1 s, next attempts on a 50 ms grid), which go
// to lanes, mixed with timers armed at random (which do not fit a lane and
// go to the heap), cancels and re-arms, with the clock moving and timers
// firing in between. The firing order is (deadline, arming order) whatever
// structure held each timer.
TEST(TimerQueue, FiresInOrderWithStreamsAndRandomTimersMixed) {
  ManualClock clock;
  TimerQueue queue(clock);
  constexpr int kTimers = 200;
  std::vector<int> fired;
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < kTimers; ++i) {
    timers.push_back(queue.create([&fired, i] { fired.push_back(i); }));
  }
  std::vector<std::optional<std::pair<TimePoint, int>>> expected(kTimers);
  std::mt19937 random(7);
  int arming = 0;
  bool usedHeap = false;
  bool usedLanes = false;
  for (int round = 0; round < 200; ++round) {
    for (int step = 0; step < 20; ++step) {
      const int i = static_cast<int>(random() % kTimers);
      TimePoint deadline;
      switch (random() % 5) {
        case 0:  // a timeout stream
          deadline = clock.now() + milliseconds(1000);
          break;
        case 1:  // the next attempts: the grid, one second on
          deadline = TimePoint{(clock.now().time_since_epoch() / milliseconds(50) + 20) *
                               milliseconds(50)};
          break;
        case 2:  // anywhere in the next two seconds
          deadline = clock.now() + milliseconds(random() % 2000);
          break;
        default:
          timers[i]->cancel();
          expected[i].reset();
          continue;
      }
      timers[i]->armAt(deadline);
      expected[i] = std::pair{deadline, arming++};
      usedHeap = usedHeap || queue.heapCount() > 0;
      usedLanes = usedLanes || queue.armedCount() > queue.heapCount();
    }
    // Fire what is due after a step of the clock, checking the order.
    clock.advance(milliseconds(random() % 40));
    std::vector<std::tuple<TimePoint, int, int>> due;
    for (int i = 0; i < kTimers; ++i) {
      if (expected[i] && expected[i]->first <= clock.now()) {
        due.emplace_back(expected[i]->first, expected[i]->second, i);
      }
    }
    std::sort(due.begin(), due.end());
    fired.clear();
    while (queue.fireNextDue(clock.now())) {
    }
    std::vector<int> want;
    for (const auto& [deadline, sequence, i] : due) {
      want.push_back(i);
      expected[i].reset();
    }
    ASSERT_EQ(fired, want) << "round " << round;
    for (int i = 0; i < kTimers; ++i) ASSERT_EQ(timers[i]->armed(), expected[i].has_value());
  }
  EXPECT_TRUE(usedHeap);
  EXPECT_TRUE(usedLanes);
}

// A lane's tail re-armed later is moved in place (a backup's
// Master_Down_Timer on every advert): it must still fire after a timer
// armed earlier for the same deadline, before later ones, and stop being
// the front it was.
TEST(TimerQueue, ALaneTailReArmedLaterKeepsDeadlineThenArmingOrder) {
  ManualClock clock;
  TimerQueue queue(clock);
  std::string order;
  auto down = queue.create([&] { order += 'd'; });
  auto other = queue.create([&] { order += 'o'; });
  auto last = queue.create([&] { order += 'l'; });
  down->armAfter(milliseconds(10));
  EXPECT_EQ(queue.nextDeadline(), clock.now() + milliseconds(10));
  last->armAfter(milliseconds(25));  // a lane with `down`, after it
  down->armAfter(milliseconds(20));  // not a tail: unlinked, into a lane of its own
  EXPECT_EQ(queue.nextDeadline(), clock.now() + milliseconds(20));  // the front known: `down`
  other->armAfter(milliseconds(30));  // after `last`, armed after `down`'s last arming
  down->armAfter(milliseconds(30));   // its lane's tail, in place: same deadline as `other`
  EXPECT_EQ(queue.nextDeadline(), clock.now() + milliseconds(25));  // no longer `down`
  EXPECT_EQ(queue.armedCount(), 3u);

  clock.advance(milliseconds(50));
  while (queue.fireNextDue(clock.now())) {
  }
  EXPECT_EQ(order, "lod");  // `down` re-armed after `other`, so after it
}

TEST(TimerQueue, TimersOutlivingTheQueueDoNothing) {
  ManualClock clock;
  auto queue = std::make_unique<TimerQueue>(clock);
  auto timer = queue->create([] {});
  timer->armAfter(milliseconds(1));
  queue.reset();
  EXPECT_FALSE(timer->armed());
  timer->armAfter(milliseconds(1));
  EXPECT_FALSE(timer->armed());
}

// A timer kept inside its owner (TimerEntry, as a Checker keeps its one):
// fired in (deadline, arming) order with the queue's own timers, given the
// firing time, cancelled by its destruction, inert before it is attached and
// after its queue is gone.
class CountingEntry final : public TimerEntry {
 public:
  explicit CountingEntry(std::string* order = nullptr, char name = 'e')
      : order_(order), name_(name) {}
  void fire(TimePoint now) override {
    fired.push_back(now);
    if (order_ != nullptr) *order_ += name_;
  }
  std::vector<TimePoint> fired;

 private:
  std::string* order_;
  char name_;
};

TEST(TimerQueue, AnAttachedEntryFiresInOrderWithCreatedTimers) {
  ManualClock clock;
  TimerQueue queue(clock);
  std::string order;
  CountingEntry entry(&order, 'e');
  queue.attach(entry);
  auto before = queue.create([&] { order += 'b'; });
  auto after = queue.create([&] { order += 'a'; });
  before->armAfter(milliseconds(10));
  entry.armAfter(milliseconds(10));
  after->armAfter(milliseconds(10));
  EXPECT_TRUE(entry.armed());
  clock.advance(milliseconds(12));
  while (queue.fireNextDue(clock.now())) {
  }
  EXPECT_EQ(order, "bea");
  EXPECT_EQ(entry.fired, std::vector<TimePoint>{clock.now()});
  EXPECT_FALSE(entry.armed());
}

TEST(TimerQueue, ADestroyedEntryIsCancelled) {
  ManualClock clock;
  TimerQueue queue(clock);
  auto other = queue.create([] {});
  {
    CountingEntry entry;
    queue.attach(entry);
    entry.armAfter(milliseconds(1));
    other->armAfter(milliseconds(2));
  }
  EXPECT_EQ(queue.armedCount(), 1u);
  clock.advance(milliseconds(5));
  EXPECT_TRUE(queue.fireNextDue(clock.now()));  // `other` alone
  EXPECT_FALSE(queue.fireNextDue(clock.now()));
}

TEST(TimerQueue, AnEntryDoesNothingUnattachedOrAfterItsQueue) {
  ManualClock clock;
  CountingEntry loose;
  loose.armAfter(milliseconds(1));
  EXPECT_FALSE(loose.armed());

  auto queue = std::make_unique<TimerQueue>(clock);
  CountingEntry entry;
  queue->attach(entry);
  entry.armAfter(milliseconds(1));
  EXPECT_TRUE(entry.armed());
  queue.reset();
  EXPECT_FALSE(entry.armed());
  entry.armAfter(milliseconds(1));
  EXPECT_FALSE(entry.armed());
}

}  // namespace
}  // namespace vigil
