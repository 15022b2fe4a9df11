#include <gtest/gtest.h>

#include <chrono>

#include "core/clock.h"
#include "core/posix_event_loop.h"

// How a PosixEventLoop sets its timerfd (KernelTimer::TimerFd, the fallback
// for kernels without epoll_pwait2). Nothing here waits: each turn is
// runOnce(0) with the timer far in the future, or a bounded turn with the
// timer already due.
namespace vigil {
namespace {

using std::chrono::seconds;

// The same deadline is not set twice; a moved one is set at once, with the
// steady clock (absolute arming) and with an injected one (relative).
void expectOneArmingPerDeadline(PosixEventLoop& loop) {
  auto timer = loop.createTimer([] {});
  timer->armAt(loop.now() + seconds(100));
  loop.runOnce(Duration{0});
  loop.runOnce(Duration{0});
  EXPECT_EQ(loop.kernelTimerArms(), 1u);
  timer->armAt(loop.now() + seconds(101));
  loop.runOnce(Duration{0});
  EXPECT_EQ(loop.kernelTimerArms(), 2u);
  timer->armAt(loop.now() + seconds(99));
  loop.runOnce(Duration{0});
  EXPECT_EQ(loop.kernelTimerArms(), 3u);
}

constexpr auto kTimerFd = PosixEventLoop::KernelTimer::TimerFd;

TEST(PosixEventLoopTimerFd, SteadyClockSetsEachNewDeadlineOnce) {
  PosixEventLoop loop(PosixEventLoop::defaultClock(), kTimerFd);
  expectOneArmingPerDeadline(loop);
}

TEST(PosixEventLoopTimerFd, InjectedClockSetsEachNewDeadlineOnce) {
  ManualClock clock;
  clock.set(TimePoint{std::chrono::hours(1)});
  PosixEventLoop loop(clock, kTimerFd);
  expectOneArmingPerDeadline(loop);
}

// An absolute deadline already passed fires at once (the kernel reports the
// timerfd expired as soon as it is set), not never. The wait is bounded so
// a regression fails here instead of hanging the suite.
TEST(PosixEventLoopTimerFd, PastDeadlineFiresAtOnce) {
  PosixEventLoop loop(PosixEventLoop::defaultClock(), kTimerFd);
  int fired = 0;
  auto timer = loop.createTimer([&] { ++fired; });
  timer->armAt(loop.now() - seconds(1));
  loop.runOnce(seconds(1));
  EXPECT_EQ(fired, 1);
}

}  // namespace
}  // namespace vigil
