#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/epoll_timeout.h"
#include "core/posix_event_loop.h"
#include "fakes/run_until.h"

// How a PosixEventLoop waits for its timers in epoll_pwait2's own timeout
// (KernelTimer::EpollTimeout, the default on Linux >= 5.11). Waits are
// bounded: a regression fails instead of hanging the suite.
namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr auto kEpollTimeout = PosixEventLoop::KernelTimer::EpollTimeout;

// The thread's timer slack, put back after each test.
class PosixEventLoopEpollTimeout : public ::testing::Test {
 protected:
  void TearDown() override { prctl(PR_SET_TIMERSLACK, savedSlack_, 0UL, 0UL, 0UL); }
  unsigned long savedSlack_ = static_cast<unsigned long>(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
};

// Skips the calling test on a kernel without epoll_pwait2 (before 5.11, or a
// seccomp filter refusing it), where every loop uses a timerfd.
#define SKIP_WITHOUT_EPOLL_PWAIT2(loop)                              \
  if ((loop).kernelTimer() != kEpollTimeout) {                       \
    GTEST_SKIP() << "no epoll_pwait2 here: the loop uses a timerfd"; \
  }

TEST_F(PosixEventLoopEpollTimeout, NewDeadlinesSetNoKernelTimer) {
  PosixEventLoop loop;
  SKIP_WITHOUT_EPOLL_PWAIT2(loop);
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
  SKIP_WITHOUT_EPOLL_PWAIT2(loop);
  loop.runOnce(Duration{0});
  EXPECT_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1);
  EXPECT_EQ(loop.timerSlack(), nanoseconds(1));
}

// Scripts and checkers forked from the loop get the kernel's default slack
// back, not the loop's 1 ns (which a fork would otherwise make their default).
TEST_F(PosixEventLoopEpollTimeout, ChildrenGetTheDefaultTimerSlack) {
  PosixEventLoop loop;
  SKIP_WITHOUT_EPOLL_PWAIT2(loop);
  loop.runOnce(Duration{0});
  ASSERT_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1);
  std::optional<ChildExit> exit;
  auto pid = loop.spawnChild([] { return static_cast<int>(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)); },
                             std::nullopt, [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(pid.ok());
  std::optional<ChildExit> execd;
  auto script = loop.spawnChild(
      std::vector<std::string>{"sh", "-c", "test \"$(cat /proc/self/timerslack_ns)\" = 50000"},
      std::nullopt, [&](const ChildExit& e) { execd = e; });
  ASSERT_TRUE(script.ok());
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value() && execd.has_value(); }));
  ASSERT_TRUE(WIFEXITED(exit->status));
  // The exit status keeps the low 8 bits: 50,000 is 0x50 there, 1 is 1.
  EXPECT_EQ(WEXITSTATUS(exit->status), 50'000 & 0xff);
  ASSERT_TRUE(WIFEXITED(execd->status));
  EXPECT_EQ(WEXITSTATUS(execd->status), 0) << "an exec'd script's /proc/self/timerslack_ns";
  EXPECT_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1) << "the loop's own thread keeps 1 ns";
}

// A thread with nice > 0 gets 0.5 % of each wait as slack, not 0.1 %: the
// loop reads which at its first turn (in a child, as a nice value cannot be
// lowered again without privilege).
TEST_F(PosixEventLoopEpollTimeout, NiceThreadWaitsAroundHalfAPercent) {
  {
    PosixEventLoop probe;
    SKIP_WITHOUT_EPOLL_PWAIT2(probe);
    probe.runOnce(Duration{0});
    if (getpriority(PRIO_PROCESS, 0) <= 0) {
      EXPECT_EQ(probe.timerSlackDivisor(), kSlackDivisor);
    }
  }
  EXPECT_EXIT(
      {
        const int nicer = std::min(getpriority(PRIO_PROCESS, 0) + 5, 19);
        if (setpriority(PRIO_PROCESS, 0, std::max(nicer, 1)) != 0) std::_Exit(2);
        PosixEventLoop loop;
        loop.runOnce(Duration{0});
        std::_Exit(loop.timerSlackDivisor() == kNiceSlackDivisor ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(PosixEventLoopEpollTimeout, PastDeadlineFiresAtOnce) {
  PosixEventLoop loop;
  int fired = 0;
  auto timer = loop.createTimer([&] { ++fired; });
  timer->armAt(loop.now() - seconds(1));
  loop.runOnce(seconds(1));
  EXPECT_EQ(fired, 1);
}

// A wait for a timer that ends before the deadline (by the loop's clock) is
// counted and waited again; the timer fires only once its deadline is
// reached. A manual clock makes every wait end "early", in 1 ns, and the slack
// rule is not read again on each early wake-up.
TEST_F(PosixEventLoopEpollTimeout, WaitEndingBeforeTheDeadlineIsCountedAndWaitedAgain) {
  ManualClock clock;
  PosixEventLoop loop(clock);
  SKIP_WITHOUT_EPOLL_PWAIT2(loop);
  int fired = 0;
  auto timer = loop.createTimer([&] { ++fired; });
  timer->armAt(clock.now() + nanoseconds(1));
  loop.runOnce(std::nullopt);
  ASSERT_EQ(loop.timerSlack(), nanoseconds(1));
  prctl(PR_SET_TIMERSLACK, 50'000UL, 0UL, 0UL, 0UL);
  loop.runOnce(std::nullopt);
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(loop.earlyWakeups(), 2u);
  EXPECT_EQ(loop.timerSlack(), nanoseconds(1)) << "read at the first turn only";

  clock.advance(nanoseconds(1));
  loop.runOnce(std::nullopt);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(loop.earlyWakeups(), 2u);
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

}  // namespace
}  // namespace vigil
