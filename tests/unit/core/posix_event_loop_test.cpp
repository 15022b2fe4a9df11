#include "core/posix_event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/unique_fd.h"
#include "fakes/run_until.h"

namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;

// Real timers here only check ordering and bookkeeping; timing itself is
// tested on SimulatedLoop.
TEST(PosixEventLoop, TimersFireInDeadlineOrderTiesInArmingOrder) {
  PosixEventLoop loop;
  std::string order;
  auto c = loop.createTimer([&] { order += 'c'; });
  auto a = loop.createTimer([&] { order += 'a'; });
  auto b1 = loop.createTimer([&] { order += '1'; });
  auto b2 = loop.createTimer([&] { order += '2'; });
  TimePoint base = loop.now();
  c->armAt(base + milliseconds(6));
  b2->armAt(base + milliseconds(4));
  a->armAt(base + milliseconds(2));
  b1->armAt(base + milliseconds(4));
  ASSERT_TRUE(runUntil(loop, [&] { return order.size() == 4; }));
  EXPECT_EQ(order, "a21c");
  EXPECT_EQ(loop.timerLateness().count, 4u);
}

TEST(PosixEventLoop, CancelledOrDestroyedTimersDoNotFire) {
  PosixEventLoop loop;
  int fired = 0;
  bool last = false;
  auto cancelled = loop.createTimer([&] { ++fired; });
  auto destroyed = loop.createTimer([&] { ++fired; });
  auto marker = loop.createTimer([&] { last = true; });
  cancelled->armAfter(milliseconds(1));
  destroyed->armAfter(milliseconds(1));
  marker->armAfter(milliseconds(3));
  cancelled->cancel();
  destroyed.reset();
  ASSERT_TRUE(runUntil(loop, [&] { return last; }));
  EXPECT_EQ(fired, 0);
}

TEST(PosixEventLoop, CallbackMayDestroyItsTimerAndArmNewOnes) {
  PosixEventLoop loop;
  std::unique_ptr<Timer> self;
  std::unique_ptr<Timer> next;
  std::string order;
  self = loop.createTimer([&] {
    order += 's';
    self.reset();
    next = loop.createTimer([&] { order += 'n'; });
    next->armAfter(Duration{0});
  });
  self->armAfter(milliseconds(1));
  ASSERT_TRUE(runUntil(loop, [&] { return order == "sn"; }));
}

// A master's advert timer is re-armed from its callback: it must keep
// firing with either kernel timer (the default epoll_pwait2 timeout, and the
// fallback timerfd, edge-triggered and its expiry count never read).
TEST(PosixEventLoop, TimerReArmedFromItsCallbackKeepsFiring) {
  for (PosixEventLoop::KernelTimer kernelTimer :
       {PosixEventLoop::KernelTimer::EpollTimeout, PosixEventLoop::KernelTimer::TimerFd}) {
    PosixEventLoop loop(PosixEventLoop::defaultClock(), kernelTimer);
    SCOPED_TRACE(loop.kernelTimer() == PosixEventLoop::KernelTimer::TimerFd ? "timerfd"
                                                                            : "epoll timeout");
    int fired = 0;
    std::unique_ptr<Timer> advert;
    advert = loop.createTimer([&] {
      ++fired;
      advert->armAfter(milliseconds(1));
    });
    advert->armAfter(milliseconds(1));
    ASSERT_TRUE(runUntil(loop, [&] { return fired == 20; }));
    if (loop.kernelTimer() == PosixEventLoop::KernelTimer::TimerFd) {
      EXPECT_GE(loop.kernelTimerArms(), 10u);
    }
  }
}

TEST(PosixEventLoop, RunStopsWhenAPostedCallbackSaysSo) {
  PosixEventLoop loop;
  std::string order;
  loop.post([&] {
    order += 'a';
    loop.post([&] {
      order += 'c';
      loop.stop();
    });
  });
  loop.post([&] { order += 'b'; });
  loop.run();
  EXPECT_EQ(order, "abc");
}

TEST(PosixEventLoop, FdWatchSeesReadinessAndStopsWhenDestroyed) {
  PosixEventLoop loop;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
  std::string got;
  std::unique_ptr<FdWatch> watch;
  watch = loop.watchFd(readEnd.get(), EPOLLIN, [&](uint32_t events) {
    ASSERT_TRUE(events & EPOLLIN);
    char buf[16];
    ssize_t n = ::read(readEnd.get(), buf, sizeof buf);
    got.append(buf, static_cast<size_t>(std::max<ssize_t>(n, 0)));
    watch.reset();  // from inside its own callback
  });
  ASSERT_EQ(::write(writeEnd.get(), "hi", 2), 2);
  ASSERT_TRUE(runUntil(loop, [&] { return watch == nullptr; }));
  EXPECT_EQ(got, "hi");
  ASSERT_EQ(::write(writeEnd.get(), "again", 5), 5);
  loop.runOnce(milliseconds(1));
  EXPECT_EQ(got, "hi");
}

// The callback's captures outlive the watch it destroys until it returns,
// then go: the loop keeps no reference count per dispatch, so this is what
// makes a self-destroying callback safe.
TEST(PosixEventLoop, CallbackThatDestroysItsWatchKeepsItsCapturesUntilItReturns) {
  PosixEventLoop loop;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> alive = token;
  int seenAfterReset = 0;
  std::unique_ptr<FdWatch> watch;
  watch = loop.watchFd(readEnd.get(), EPOLLIN, [&, token = std::move(token)](uint32_t) {
    watch.reset();
    seenAfterReset = alive.expired() ? -1 : *token;
  });
  ASSERT_EQ(::write(writeEnd.get(), "x", 1), 1);
  ASSERT_TRUE(runUntil(loop, [&] { return watch == nullptr; }));
  EXPECT_EQ(seenAfterReset, 7);
  EXPECT_TRUE(alive.expired()) << "freed once the dispatch returned";
}

// A clock that moves 1 us at each reading and remembers its last answer.
class TickingClock final : public Clock {
 public:
  TimePoint now() const override {
    last_ += std::chrono::microseconds(1);
    return last_;
  }
  TimePoint last() const { return last_; }

 private:
  mutable TimePoint last_{std::chrono::hours(1)};
};

// The callback of a stamped timer gets the reading the loop fired it by and
// reads the clock no more itself.
TEST(PosixEventLoop, StampedTimerGetsTheLoopsReadingOfTheClock) {
  TickingClock clock;
  PosixEventLoop loop(clock);
  std::optional<TimePoint> firedAt;
  TimePoint lastReading{};
  auto timer = loop.createStampedTimer([&](TimePoint at) {
    firedAt = at;
    lastReading = clock.last();
  });
  const TimePoint deadline = clock.last() + std::chrono::microseconds(3);
  timer->armAt(deadline);
  ASSERT_TRUE(runUntil(loop, [&] { return firedAt.has_value(); }));
  EXPECT_GE(*firedAt, deadline);
  EXPECT_EQ(*firedAt, lastReading);
}

// A turn run from an fd callback (nested) gets events of its own: the
// outer turn still dispatches every event its wait returned.
TEST(PosixEventLoop, NestedTurnLeavesTheOuterTurnsEvents) {
  PosixEventLoop loop;
  std::vector<UniqueFd> ends;
  std::vector<int> calls(3, 0);
  std::vector<std::unique_ptr<FdWatch>> watches;
  bool nested = false;
  for (size_t i = 0; i < 3; ++i) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    ends.emplace_back(fds[0]);
    ends.emplace_back(fds[1]);
    const int readFd = fds[0];
    watches.push_back(loop.watchFd(readFd, EPOLLIN, [&, i, readFd](uint32_t) {
      ++calls[i];
      char buf[8];
      (void)::read(readFd, buf, sizeof buf);
      if (!nested) {
        nested = true;
        loop.runOnce(Duration{0});  // dispatches the two others once
      }
    }));
  }
  for (size_t i = 0; i < 3; ++i) ASSERT_EQ(::write(ends[2 * i + 1].get(), "x", 1), 1);
  loop.runOnce(milliseconds(100));
  std::sort(calls.begin(), calls.end());
  // The nesting one once; the others once in the nested turn and once more
  // in the outer turn (their readiness, read meanwhile, as the outer wait saw it).
  EXPECT_EQ(calls, (std::vector<int>{1, 2, 2}));
}

TEST(PosixEventLoop, TryWatchFdReportsUnpollableFds) {
  PosixEventLoop loop;
  UniqueFd file(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file);
  auto watch = loop.tryWatchFd(file.get(), EPOLLIN, [](uint32_t) {});
  EXPECT_FALSE(watch.ok());
}

TEST(PosixEventLoop, PostFromAnotherThreadWakesTheLoop) {
  PosixEventLoop loop;
  std::atomic<bool> ran{false};
  std::thread other([&] { loop.postFromAnyThread([&] { ran = true; }); });
  bool done = runUntil(loop, [&] { return ran.load(); });
  other.join();
  EXPECT_TRUE(done);
}

TEST(PosixEventLoop, SignalsAreDeliveredAsCallbacks) {
  PosixEventLoop loop;
  int usr1 = 0;
  ASSERT_TRUE(loop.onSignal(SIGUSR1, [&] { ++usr1; }).ok());
  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  ASSERT_TRUE(runUntil(loop, [&] { return usr1 == 1; }));
}

TEST(PosixEventLoop, SpawnedFunctionChildIsReapedWithItsStatus) {
  PosixEventLoop loop;
  std::optional<ChildExit> exit;
  auto pid = loop.spawnChild([] { return 7; }, std::nullopt, [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value(); }));
  EXPECT_EQ(exit->pid, *pid);
  ASSERT_TRUE(WIFEXITED(exit->status));
  EXPECT_EQ(WEXITSTATUS(exit->status), 7);
  EXPECT_FALSE(exit->timedOut);
  EXPECT_EQ(loop.watchedChildren(), 0u);
}

TEST(PosixEventLoop, SpawnedCommandIsReaped) {
  PosixEventLoop loop;
  std::optional<ChildExit> exit;
  auto pid = loop.spawnChild(std::vector<std::string>{"sh", "-c", "exit 3"}, std::nullopt,
                             [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value(); }));
  ASSERT_TRUE(WIFEXITED(exit->status));
  EXPECT_EQ(WEXITSTATUS(exit->status), 3);
}

TEST(PosixEventLoop, ChildPastItsTimeoutIsTerminated) {
  PosixEventLoop loop;
  std::optional<ChildExit> exit;
  auto pid = loop.spawnChild(
      [] {
        ::pause();
        return 0;
      },
      milliseconds(5), [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value(); }));
  EXPECT_TRUE(exit->timedOut);
  ASSERT_TRUE(WIFSIGNALED(exit->status));
  EXPECT_EQ(WTERMSIG(exit->status), SIGTERM);
}

TEST(PosixEventLoop, ChildIgnoringSigtermIsKilledAfterTheGrace) {
  PosixEventLoop loop;
  loop.setKillGrace(milliseconds(5));
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  UniqueFd readyRead(ready[0]), readyWrite(ready[1]);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGTERM, SIG_IGN);
    [[maybe_unused]] ssize_t n = ::write(readyWrite.get(), "r", 1);
    for (;;) {
      ::pause();
    }
  }
  // Only watched (and timed) once it ignores SIGTERM, so the outcome does
  // not depend on scheduling.
  readyWrite.reset();
  char byte = 0;
  ASSERT_EQ(::read(readyRead.get(), &byte, 1), 1);
  std::optional<ChildExit> exit;
  loop.watchChild(pid, milliseconds(5), [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value(); }));
  EXPECT_TRUE(exit->timedOut);
  ASSERT_TRUE(WIFSIGNALED(exit->status));
  EXPECT_EQ(WTERMSIG(exit->status), SIGKILL);
}

TEST(PosixEventLoop, WatchChildReapsAChildThatExitedBeforeTheWatch) {
  PosixEventLoop loop;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::_exit(5);
  }
  // Give it every chance to have exited already: wait without reaping.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  std::optional<ChildExit> exit;
  loop.watchChild(pid, std::nullopt, [&](const ChildExit& e) { exit = e; });
  ASSERT_TRUE(runUntil(loop, [&] { return exit.has_value(); }));
  EXPECT_EQ(WEXITSTATUS(exit->status), 5);
}

}  // namespace
}  // namespace vigil
