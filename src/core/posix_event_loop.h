#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/epoll_timeout.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/timer_entry.h"
#include "core/timer_queue.h"
#include "core/unique_fd.h"

struct epoll_event;

namespace vigil {

// The production EventLoop: epoll for fds, epoll_pwait2's own timeout for
// every timer (or one timerfd where the kernel lacks epoll_pwait2), signalfd
// for signals, an eventfd to be woken from other threads, and SIGCHLD-driven
// reaping of child processes.
//
// Each turn dispatches ready fds, then fires due timers (in deadline order,
// ties in arming order), then runs posted callbacks. Callbacks may create,
// change or destroy timers and watches, including their own.
//
// Signals: onSignal() and child handling block the signal in the calling
// thread, so create the loop before starting any other thread (threads
// inherit the mask). One loop per process should own signals.
class PosixEventLoop final : public EventLoop {
 public:
  // What ends a wait at the earliest timer's deadline.
  enum class KernelTimer {
    // epoll_pwait2's timeout (Linux 5.11): no system call when the earliest
    // deadline changes, which at a VRRP master is every advert. The thread
    // that runs the loop gets a timer slack of 1 ns, and each wait ends
    // before the deadline by what slack the kernel adds (epollTimeoutFor),
    // so timers are not later than with a timerfd, which has none.
    EpollTimeout,
    // A timerfd, set (timerfd_settime) whenever the earliest deadline changes.
    TimerFd,
  };

  // A kernel without epoll_pwait2 gets TimerFd whatever is asked.
  explicit PosixEventLoop(const Clock& clock = defaultClock(),
                          KernelTimer kernelTimer = KernelTimer::EpollTimeout);
  ~PosixEventLoop() override;
  PosixEventLoop(const PosixEventLoop&) = delete;
  PosixEventLoop& operator=(const PosixEventLoop&) = delete;

  static const Clock& defaultClock();

  TimePoint now() const override { return clock_.now(); }
  std::unique_ptr<Timer> createTimer(Callback cb) override;
  std::unique_ptr<Timer> createStampedTimer(StampedCallback cb) override;
  void attachTimer(TimerEntry& timer) override { timers_.attach(timer); }
  // A failure to register (e.g. a regular file) is logged and the returned
  // watch never fires; tryWatchFd reports it instead.
  std::unique_ptr<FdWatch> watchFd(int fd, uint32_t epollEvents, FdCallback cb) override;
  Result<std::unique_ptr<FdWatch>> tryWatchFd(int fd, uint32_t epollEvents, FdCallback cb);
  void post(Callback cb) override;

  // Thread-safe: queues cb for the loop's thread and wakes it.
  void postFromAnyThread(Callback cb);
  // Thread-safe: makes a blocked run() turn come around.
  void wake();

  // Runs until stop(). stop() takes effect when the current turn ends.
  void run();
  void stop() { stopRequested_ = true; }
  // One turn, waiting at most maxWait (forever when nullopt) for something
  // to happen.
  void runOnce(std::optional<Duration> maxWait);

  // Delivers signo to cb on the loop instead of its default action. The
  // signal is blocked for this thread while the loop lives. A second call for
  // the same signal replaces the callback.
  Status onSignal(int signo, Callback cb);

  // Forks a child that runs childMain (its return value is the exit status)
  // or execs argv[0] with PATH lookup. The child starts with default signal
  // handling and an empty mask; an exec'd child keeps only fds 0-2. When
  // timeout is set and passes, the child gets SIGTERM, then SIGKILL after
  // killGrace, and cb sees timedOut. cb runs on the loop once it is reaped.
  Result<pid_t> spawnChild(std::function<int()> childMain, std::optional<Duration> timeout,
                           ChildCallback cb);
  Result<pid_t> spawnChild(const std::vector<std::string>& argv, std::optional<Duration> timeout,
                           ChildCallback cb);
  // Reaps (and times out) a child forked elsewhere. A status of -1 means
  // something else reaped it first.
  void watchChild(pid_t pid, std::optional<Duration> timeout, ChildCallback cb);
  // Forgets a child without reaping it; its callback will not run.
  void unwatchChild(pid_t pid) { children_.erase(pid); }
  void setKillGrace(Duration grace) { killGrace_ = grace; }
  size_t watchedChildren() const { return children_.size(); }

  const TimerLateness& timerLateness() const { return timers_.lateness(); }
  KernelTimer kernelTimer() const { return kernelTimer_; }
  // timerfd_settime calls so far: one per change of the earliest deadline
  // (TimerFd only).
  uint64_t kernelTimerArms() const { return kernelTimerArms_; }
  // Waits for a timer that ended before its deadline, so the loop waited
  // again (EpollTimeout only: an interrupt inside the kernel's slack window,
  // or a thread whose scheduling changed after the loop's first turn).
  uint64_t earlyWakeups() const { return earlyWakeups_; }
  // The slack rule the loop's waits assume (EpollTimeout), read at its first
  // turn: the thread's timer slack (0: realtime) and the divisor of its
  // proportional slack (epollTimeoutFor). Set the thread's scheduling before
  // running the loop.
  Duration timerSlack() const { return timerSlack_; }
  int64_t timerSlackDivisor() const { return slackDivisor_; }
  void setLatenessObserver(std::function<void(Duration)> observer) {
    timers_.setLatenessObserver(std::move(observer));
  }

 private:
  class Watch;
  struct Child {
    ChildCallback cb;
    std::unique_ptr<Timer> timeout;
    bool timedOut = false;
  };

  Status addInternalFd(int fd, uint64_t id, uint32_t events);
  Status blockSignal(int signo);
  Status ensureChildReaping();
  int waitForEvents(epoll_event* events, int capacity, std::optional<Duration> maxWait);
  void programTimerFd();
  void lowerTimerSlack();
  void readTimerSlack();
  void dispatch(uint64_t id, uint32_t events);
  void drainSignals();
  void drainWakeups();
  void runPosted();
  void reapChildren();
  void onChildTimeout(pid_t pid);
  Result<pid_t> forkChild(const std::function<void()>& inChild);

  const Clock& clock_;
  // The clock is CLOCK_MONOTONIC (a SteadyClock): deadlines go to the
  // timerfd as absolute times, with no clock read to make them relative.
  const bool kernelMonotonic_;
  UniqueFd epoll_;
  KernelTimer kernelTimer_;
  UniqueFd timerFd_;  // TimerFd only
  // The slack the kernel adds to the running thread's timed waits (0:
  // realtime) and the divisor of its proportional part (200 at nice > 0),
  // once the first turn has lowered it.
  bool slackLowered_ = false;
  Duration timerSlack_{0};
  int64_t slackDivisor_ = kSlackDivisor;
  bool waitedForTimer_ = false;  // the last wait's timeout was a timer's deadline
  uint64_t earlyWakeups_ = 0;
  UniqueFd wakeFd_;
  UniqueFd signalFd_;
  TimerQueue timers_{clock_};
  std::optional<TimePoint> programmedDeadline_;  // what the timerfd is set to
  uint64_t kernelTimerArms_ = 0;
  // What a wait returns; a member, not a 12 kB array in runOnce's frame,
  // so the stack a turn's callbacks run on is the few pages beside run()'s
  // and a turn woken by a timer touches none of it.
  std::vector<epoll_event> events_;
  std::vector<Callback> posted_;
  // The batch runPosted() is running; a member so its capacity is reused
  // and an idle loop turn allocates nothing.
  std::vector<Callback> running_;
  bool stopRequested_ = false;

  std::mutex foreignMutex_;
  std::vector<Callback> foreignPosted_;

  uint64_t nextWatchId_;
  std::unordered_map<uint64_t, Watch*> watches_;
  // Fd callbacks running (nested when a callback runs the loop), and the
  // callbacks of watches destroyed meanwhile, freed once none runs.
  int dispatchDepth_ = 0;
  std::vector<std::unique_ptr<FdCallback>> retiredCallbacks_;

  sigset_t handledSignals_;
  sigset_t blockedByUs_;
  std::map<int, std::shared_ptr<Callback>> signalCallbacks_;

  std::map<pid_t, Child> children_;
  Duration killGrace_ = std::chrono::seconds(2);
};

}  // namespace vigil
