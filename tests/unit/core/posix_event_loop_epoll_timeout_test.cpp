#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <chrono>
#include <memory>

#include "core/clock.h"
#include "core/posix_event_loop.h"
#include "fakes/run_until.h"

// How a PosixEventLoop waits for its timers in epoll_pwait2's own timeout
// (KernelTimer::EpollTimeout, the default on Linux >= 5.11). Waits are
// bounded: a regression fails instead of hanging the suite.
namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kEpollTimeout = PosixEventLoop::KernelTimer::EpollTimeout;

// The thread's timer slack, put back after each test.
class PosixEventLoopEpollTimeout : public ::testing::Test {
 protected:
  void TearDown() override { prctl(PR_SET_TIMERSLACK, savedSlack_, 0UL, 0UL, 0UL); }
  unsigned long savedSlack_ = static_cast<unsigned long>(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
};

TEST_F(PosixEventLoopEpollTimeout, NewDeadlinesSetNoKernelTimer) {
  PosixEventLoop loop;
  ASSERT_EQ(loop.kernelTimer(), kEpollTimeout) << "this kernel has no epoll_pwait2";
  auto timer = loop.createTimer([] {});
  for (int i = 1; i <= 3; ++i) {
    timer->armAt(loop.now() + seconds(100 + i));
    loop.runOnce(Duration{0});
  }
  EXPECT_EQ(loop.kernelTimerArms(), 0u);
  EXPECT_EQ(loop.earlyWakeups(), 0u);
}

TEST_F(PosixEventLoopEpollTimeout, RunningLowersTheThreadsTimerSlack) {
  PosixEventLoop loop;
  loop.runOnce(Duration{0});
  EXPECT_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1);
}

TEST_F(PosixEventLoopEpollTimeout, PastDeadlineFiresAtOnce) {
  PosixEventLoop loop;
  int fired = 0;
  auto timer = loop.createTimer([&] { ++fired; });
  timer->armAt(loop.now() - seconds(1));
  loop.runOnce(seconds(1));
  EXPECT_EQ(fired, 1);
}

// The wait ends by the deadline less the kernel's slack, and a timer still
// never runs before its deadline: a wait that ends early is waited again.
TEST_F(PosixEventLoopEpollTimeout, TimerNeverFiresBeforeItsDeadline) {
  PosixEventLoop loop;
  int fired = 0;
  TimePoint deadline;
  std::unique_ptr<Timer> advert;
  advert = loop.createTimer([&] {
    EXPECT_GE(loop.now(), deadline);
    ++fired;
    deadline = loop.now() + milliseconds(2);
    advert->armAt(deadline);
  });
  deadline = loop.now() + milliseconds(2);
  advert->armAt(deadline);
  ASSERT_TRUE(runUntil(loop, [&] { return fired == 10; }));
  EXPECT_EQ(loop.timerLateness().count, 10u);
}

// A shorter maxWait than the earliest timer ends the turn without firing it,
// and is not an early wake-up of the timer.
TEST_F(PosixEventLoopEpollTimeout, MaxWaitShorterThanTheTimerBoundsTheTurn) {
  PosixEventLoop loop;
  int fired = 0;
  auto timer = loop.createTimer([&] { ++fired; });
  timer->armAt(loop.now() + seconds(100));
  const TimePoint start = loop.now();
  loop.runOnce(milliseconds(1));
  EXPECT_LT(loop.now() - start, seconds(50));
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(loop.earlyWakeups(), 0u);
}

// The fallback keeps firing a timer re-armed from its callback (its timerfd
// is edge-triggered and never read).
TEST_F(PosixEventLoopEpollTimeout, TimerFdFallbackKeepsFiringReArmedTimers) {
  PosixEventLoop loop(PosixEventLoop::defaultClock(), PosixEventLoop::KernelTimer::TimerFd);
  ASSERT_EQ(loop.kernelTimer(), PosixEventLoop::KernelTimer::TimerFd);
  int fired = 0;
  std::unique_ptr<Timer> advert;
  advert = loop.createTimer([&] {
    ++fired;
    advert->armAfter(milliseconds(1));
  });
  advert->armAfter(milliseconds(1));
  ASSERT_TRUE(runUntil(loop, [&] { return fired == 10; }));
  EXPECT_GE(loop.kernelTimerArms(), 10u);
}

}  // namespace
}  // namespace vigil
