#include "core/posix_event_loop.h"

#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "core/epoll_timeout.h"
#include "core/log.h"
#include "core/process.h"

namespace vigil {
namespace {

// epoll data ids of the loop's own fds; watches get ids above these.
constexpr uint64_t kTimerId = 1;
constexpr uint64_t kWakeId = 2;
constexpr uint64_t kSignalId = 3;
constexpr uint64_t kFirstWatchId = 16;
// Enough that fd events are not starved by timers: a turn fires every due timer,
// and a check worker with thousands of checks due at once would otherwise take
// in only 64 finished connects per turn while starting thousands more.
constexpr int kMaxEventsPerTurn = 1024;

int toEpollTimeout(std::optional<Duration> maxWait) {
  if (!maxWait) {
    return -1;
  }
  if (*maxWait <= Duration{0}) {
    return 0;
  }
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*maxWait).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
}

timespec toTimespec(Duration d) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(d);
  return timespec{static_cast<time_t>(seconds.count()), static_cast<long>((d - seconds).count())};
}

// Whether this kernel has epoll_pwait2 (Linux 5.11; a seccomp filter may
// also refuse it): a zero timeout returns at once either way.
bool hasEpollPwait2(int epollFd) {
  epoll_event event{};
  const timespec zero{};
  return epoll_pwait2(epollFd, &event, 1, &zero, nullptr) >= 0 ||
         (errno != ENOSYS && errno != EPERM);
}

bool realtimeThread() {
  const int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
  return policy == SCHED_FIFO || policy == SCHED_RR;
}

// The kernel's initial timer slack (init_task.timer_slack_ns). A forked
// child's "default" is its parent's current slack, so PR_SET_TIMERSLACK 0
// would keep the loop's 1 ns; this value is set instead.
constexpr unsigned long kKernelDefaultTimerSlackNs = 50'000;

}  // namespace

class PosixEventLoop::Watch final : public FdWatch {
 public:
  Watch(PosixEventLoop* loop, uint64_t id, int fd, FdCallback cb)
      : loop_(loop), id_(id), fd_(fd), cb_(std::make_unique<FdCallback>(std::move(cb))) {}
  ~Watch() override {
    if (loop_ != nullptr) {
      // EBADF when the owner closed the fd first: the kernel already dropped it.
      epoll_ctl(loop_->epoll_.get(), EPOLL_CTL_DEL, fd_, nullptr);
      loop_->watches_.erase(id_);
      // This may be the callback running now (it destroyed its own watch):
      // the loop keeps it until the dispatch returns.
      if (loop_->dispatchDepth_ > 0) loop_->retiredCallbacks_.push_back(std::move(cb_));
    }
  }

  void setEvents(uint32_t epollEvents) override {
    if (loop_ == nullptr) {
      return;
    }
    epoll_event ev{};
    ev.events = epollEvents;
    ev.data.u64 = id_;
    if (epoll_ctl(loop_->epoll_.get(), EPOLL_CTL_MOD, fd_, &ev) != 0) {
      log(LogLevel::Error, "epoll: cannot change events of fd {}: {}", fd_,
          errnoError("").describe());
    }
  }

 private:
  friend class PosixEventLoop;
  PosixEventLoop* loop_;  // null when not registered or the loop is gone
  uint64_t id_;
  int fd_;
  // On the heap so a callback that destroys its own watch keeps running:
  // the destructor hands it to the loop (retiredCallbacks_) instead.
  std::unique_ptr<FdCallback> cb_;
};

const Clock& PosixEventLoop::defaultClock() {
  static const SteadyClock clock;
  return clock;
}

PosixEventLoop::PosixEventLoop(const Clock& clock, KernelTimer kernelTimer)
    : clock_(clock),
      kernelMonotonic_(dynamic_cast<const SteadyClock*>(&clock) != nullptr),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      kernelTimer_(kernelTimer),
      wakeFd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      events_(kMaxEventsPerTurn),
      nextWatchId_(kFirstWatchId) {
  sigemptyset(&handledSignals_);
  sigemptyset(&blockedByUs_);
  if (epoll_ && kernelTimer_ == KernelTimer::EpollTimeout && !hasEpollPwait2(epoll_.get())) {
    log(LogLevel::Info, "event loop: no epoll_pwait2 ({}), timers use a timerfd",
        errnoError("").describe());
    kernelTimer_ = KernelTimer::TimerFd;
  }
  if (kernelTimer_ == KernelTimer::TimerFd) {
    timerFd_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  }
  // Without these the process cannot do anything useful; fail loudly.
  // The timerfd is edge-triggered: each expiry is reported once, so its
  // count need not be read back (one system call less per timer that fires,
  // which is every advert of a VRRP master). Its other fds stay level-triggered.
  const bool timerFdOk = kernelTimer_ == KernelTimer::EpollTimeout ||
                         (timerFd_ && addInternalFd(timerFd_.get(), kTimerId, EPOLLIN | EPOLLET));
  if (!epoll_ || !wakeFd_ || !timerFdOk || !addInternalFd(wakeFd_.get(), kWakeId, EPOLLIN)) {
    log(LogLevel::Error, "event loop: cannot create epoll/timerfd/eventfd: {}",
        errnoError("").describe());
    std::abort();
  }
}

void PosixEventLoop::lowerTimerSlack() {
  // The default 50 us would end a 10 ms wait up to 50 us early or late;
  // 1 ns leaves only the kernel's proportional slack (0.1 %, 0.5 % at
  // nice > 0), which epollTimeoutFor waits around. Set by the thread that
  // runs the loop (the slack is per thread); its other sleeps, if any, get
  // as precise. Children get the kernel's default back (forkChild).
  if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) != 0) {
    log(LogLevel::Info, "event loop: cannot lower the timer slack: {}", errnoError("").describe());
  }
  slackLowered_ = true;
  readTimerSlack();
}

void PosixEventLoop::readTimerSlack() {
  // A realtime thread's timed waits get no slack, whatever PR_GET_TIMERSLACK
  // says (kernels before 6.11 still report the stored value). Read once, at
  // the first turn: workers set their scheduling (vrrp_rt_priority,
  // vrrp_priority) before it, and a read per early wake-up would cost two
  // system calls each time.
  const int slack = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
  timerSlack_ = realtimeThread() || slack < 0 ? Duration{0} : Duration{slack};
  // -1 is also getpriority's error value: either way, not nice > 0.
  slackDivisor_ = slackDivisorForNice(getpriority(PRIO_PROCESS, 0));
}

PosixEventLoop::~PosixEventLoop() {
  for (auto& [id, watch] : watches_) {
    watch->loop_ = nullptr;
  }
  pthread_sigmask(SIG_UNBLOCK, &blockedByUs_, nullptr);
}

Status PosixEventLoop::addInternalFd(int fd, uint64_t id, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return errnoError("epoll_ctl add");
  }
  return {};
}

std::unique_ptr<Timer> PosixEventLoop::createTimer(Callback cb) {
  return timers_.create(std::move(cb));
}

std::unique_ptr<Timer> PosixEventLoop::createStampedTimer(StampedCallback cb) {
  return timers_.create(std::move(cb));
}

Result<std::unique_ptr<FdWatch>> PosixEventLoop::tryWatchFd(int fd, uint32_t epollEvents,
                                                            FdCallback cb) {
  uint64_t id = nextWatchId_++;
  epoll_event ev{};
  ev.events = epollEvents;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return errnoError("cannot watch fd " + std::to_string(fd));
  }
  auto watch = std::make_unique<Watch>(this, id, fd, std::move(cb));
  watches_.emplace(id, watch.get());
  return std::unique_ptr<FdWatch>(std::move(watch));
}

std::unique_ptr<FdWatch> PosixEventLoop::watchFd(int fd, uint32_t epollEvents, FdCallback cb) {
  auto watch = tryWatchFd(fd, epollEvents, std::move(cb));
  if (!watch) {
    log(LogLevel::Error, "event loop: {}", watch.error().describe());
    return std::make_unique<Watch>(nullptr, 0, fd, FdCallback{});
  }
  return std::move(*watch);
}

void PosixEventLoop::post(Callback cb) { posted_.push_back(std::move(cb)); }

void PosixEventLoop::postFromAnyThread(Callback cb) {
  {
    std::lock_guard lock(foreignMutex_);
    foreignPosted_.push_back(std::move(cb));
  }
  wake();
}

void PosixEventLoop::wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop will wake anyway.
  [[maybe_unused]] ssize_t n = ::write(wakeFd_.get(), &one, sizeof one);
}

void PosixEventLoop::run() {
  while (!stopRequested_) {
    runOnce(std::nullopt);
  }
  stopRequested_ = false;
}

void PosixEventLoop::runOnce(std::optional<Duration> maxWait) {
  if (!posted_.empty() || stopRequested_) {
    maxWait = Duration{0};
  }
  // A turn run from inside an fd callback must not overwrite the events the
  // outer turn is still dispatching.
  std::vector<epoll_event> nested;
  epoll_event* events = events_.data();
  if (dispatchDepth_ > 0) {
    nested.resize(kMaxEventsPerTurn);
    events = nested.data();
  }
  int n = waitForEvents(events, kMaxEventsPerTurn, maxWait);
  if (n < 0 && errno != EINTR) {
    log(LogLevel::Error, "epoll_wait: {}", errnoError("").describe());
  }
  for (int i = 0; i < n; ++i) {
    dispatch(events[i].data.u64, events[i].events);
  }
  // The clock is read only while the earliest timer may fire this turn (an
  // idle turn usually ends with a timer just re-armed for later at the
  // front), and once for the whole batch: a check worker fires hundreds of
  // timers in one turn. A timer that falls due while the batch runs fires
  // on the next turn, whose wait then does not block.
  uint64_t mark = timers_.sequenceMark();
  bool fired = false;
  if (timers_.frontArmedBefore(mark)) {
    const TimePoint now = clock_.now();
    while (timers_.fireNextDue(now, mark)) fired = true;
  }
  if (waitedForTimer_ && n == 0 && !fired) {
    // Woken inside the slack window before the deadline; the next turn
    // waits for the rest.
    ++earlyWakeups_;
  }
  runPosted();
}

int PosixEventLoop::waitForEvents(epoll_event* events, int capacity,
                                  std::optional<Duration> maxWait) {
  if (kernelTimer_ == KernelTimer::TimerFd) {
    programTimerFd();
    return epoll_wait(epoll_.get(), events, capacity, toEpollTimeout(maxWait));
  }
  // The wait is relative: one clock read per turn with a timer armed,
  // instead of a timerfd_settime per new earliest deadline.
  if (!slackLowered_) lowerTimerSlack();
  waitedForTimer_ = false;
  std::optional<Duration> timeout = maxWait;
  if (auto next = timers_.nextDeadline(); next && timeout != Duration{0}) {
    const Duration untilTimer = epollTimeoutFor(*next - clock_.now(), timerSlack_, slackDivisor_);
    if (!timeout || untilTimer <= *timeout) {
      timeout = untilTimer;
      waitedForTimer_ = true;
    }
  }
  if (!timeout) {
    return epoll_pwait2(epoll_.get(), events, capacity, nullptr, nullptr);
  }
  const timespec wait = toTimespec(std::max(*timeout, Duration{0}));
  return epoll_pwait2(epoll_.get(), events, capacity, &wait, nullptr);
}

void PosixEventLoop::programTimerFd() {
  auto next = timers_.nextDeadline();
  if (next == programmedDeadline_) {
    return;
  }
  itimerspec spec{};
  int flags = 0;
  if (next && kernelMonotonic_) {
    // The deadline is CLOCK_MONOTONIC time already: no clock read per arming
    // (one per advert, sent or received). Zero would disarm: 1 ns is "now".
    spec.it_value = toTimespec(std::max(next->time_since_epoch(), Duration{1}));
    flags = TFD_TIMER_ABSTIME;
  } else if (next) {
    // Relative arming keeps an injected clock meaningful.
    spec.it_value = toTimespec(std::max(*next - clock_.now(), Duration{1}));
  }
  ++kernelTimerArms_;
  if (timerfd_settime(timerFd_.get(), flags, &spec, nullptr) != 0) {
    log(LogLevel::Error, "timerfd_settime: {}", errnoError("").describe());
  }
  programmedDeadline_ = next;
}

void PosixEventLoop::dispatch(uint64_t id, uint32_t events) {
  switch (id) {
    case kTimerId:
      // Edge-triggered: the expiry count stays unread (see the constructor).
      programmedDeadline_.reset();
      return;
    case kWakeId:
      drainWakeups();
      return;
    case kSignalId:
      drainSignals();
      return;
    default:
      break;
  }
  auto it = watches_.find(id);
  if (it == watches_.end()) {
    return;  // destroyed by an earlier callback of this turn
  }
  // No reference count per dispatch: a watch destroyed while a callback
  // runs parks its callback until the outermost dispatch returns.
  ++dispatchDepth_;
  (*it->second->cb_)(events);
  if (--dispatchDepth_ == 0 && !retiredCallbacks_.empty()) retiredCallbacks_.clear();
}

void PosixEventLoop::drainWakeups() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(wakeFd_.get(), &count, sizeof count);
  std::vector<Callback> foreign;
  {
    std::lock_guard lock(foreignMutex_);
    foreign.swap(foreignPosted_);
  }
  for (auto& cb : foreign) {
    posted_.push_back(std::move(cb));
  }
}

void PosixEventLoop::runPosted() {
  if (posted_.empty()) {
    return;
  }
  running_.swap(posted_);
  for (auto& cb : running_) {
    cb();
  }
  running_.clear();
}

Status PosixEventLoop::blockSignal(int signo) {
  if (sigismember(&handledSignals_, signo)) {
    return {};
  }
  sigset_t current;
  pthread_sigmask(SIG_BLOCK, nullptr, &current);
  if (!sigismember(&current, signo)) {
    sigaddset(&blockedByUs_, signo);
  }
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signo);
  if (pthread_sigmask(SIG_BLOCK, &one, nullptr) != 0) {
    return errnoError("cannot block signal " + std::to_string(signo));
  }
  sigaddset(&handledSignals_, signo);
  int fd = signalfd(signalFd_ ? signalFd_.get() : -1, &handledSignals_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    return errnoError("signalfd");
  }
  if (!signalFd_) {
    signalFd_.reset(fd);
    return addInternalFd(fd, kSignalId, EPOLLIN);
  }
  return {};
}

Status PosixEventLoop::onSignal(int signo, Callback cb) {
  Status blocked = blockSignal(signo);
  if (!blocked) {
    return blocked;
  }
  signalCallbacks_[signo] = std::make_shared<Callback>(std::move(cb));
  return {};
}

void PosixEventLoop::drainSignals() {
  signalfd_siginfo info{};
  while (::read(signalFd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    int signo = static_cast<int>(info.ssi_signo);
    if (signo == SIGCHLD) {
      reapChildren();
    }
    auto it = signalCallbacks_.find(signo);
    if (it != signalCallbacks_.end()) {
      auto cb = it->second;
      (*cb)();
    }
  }
}

Status PosixEventLoop::ensureChildReaping() { return blockSignal(SIGCHLD); }

Result<pid_t> PosixEventLoop::forkChild(const std::function<void()>& inChild) {
  // SIGCHLD must be blocked before fork so an early exit is not lost.
  Status reaping = ensureChildReaping();
  if (!reaping) {
    return reaping.error();
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    return errnoError("fork");
  }
  if (pid == 0) {
    resetSignalsForChild();
    // Notify and check scripts should not inherit the loop's 1 ns slack
    // (nor keep it across exec): it would cost them wake-ups for nothing.
    if (slackLowered_) (void)prctl(PR_SET_TIMERSLACK, kKernelDefaultTimerSlackNs, 0UL, 0UL, 0UL);
    inChild();
    ::_exit(127);
  }
  return pid;
}

Result<pid_t> PosixEventLoop::spawnChild(std::function<int()> childMain,
                                         std::optional<Duration> timeout, ChildCallback cb) {
  auto pid = forkChild([&childMain] {
    int code = 70;  // EX_SOFTWARE: the child's main threw
    try {
      code = childMain();
    } catch (...) {
    }
    ::_exit(code);
  });
  if (pid) {
    watchChild(*pid, timeout, std::move(cb));
  }
  return pid;
}

Result<pid_t> PosixEventLoop::spawnChild(const std::vector<std::string>& argv,
                                         std::optional<Duration> timeout, ChildCallback cb) {
  if (argv.empty()) {
    return Error{EINVAL, "spawnChild: empty argv"};
  }
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  auto pid = forkChild([&args] {
    closeInheritedFds();
    ::execvp(args[0], args.data());
  });
  if (pid) {
    watchChild(*pid, timeout, std::move(cb));
  }
  return pid;
}

void PosixEventLoop::watchChild(pid_t pid, std::optional<Duration> timeout, ChildCallback cb) {
  Status reaping = ensureChildReaping();
  if (!reaping) {
    log(LogLevel::Error, "event loop: {}", reaping.error().describe());
  }
  Child& child = children_[pid];
  child.cb = std::move(cb);
  if (timeout) {
    child.timeout = createTimer([this, pid] { onChildTimeout(pid); });
    child.timeout->armAfter(*timeout);
  }
  // It may have exited before SIGCHLD was blocked.
  post([this] { reapChildren(); });
}

void PosixEventLoop::onChildTimeout(pid_t pid) {
  auto it = children_.find(pid);
  if (it == children_.end()) {
    return;
  }
  Child& child = it->second;
  if (!child.timedOut) {
    child.timedOut = true;
    ::kill(pid, SIGTERM);
    child.timeout->armAfter(killGrace_);
  } else {
    ::kill(pid, SIGKILL);
  }
}

void PosixEventLoop::reapChildren() {
  std::vector<pid_t> pids;
  for (const auto& [pid, child] : children_) {
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    pid_t reaped;
    do {
      reaped = ::waitpid(pid, &status, WNOHANG);
    } while (reaped < 0 && errno == EINTR);
    if (reaped == 0) {
      continue;
    }
    if (reaped < 0) {
      status = -1;
    }
    auto node = children_.extract(pid);
    if (node.empty()) {
      continue;  // an earlier callback in this pass stopped watching it
    }
    ChildExit exit{pid, status, node.mapped().timedOut};
    ChildCallback cb = std::move(node.mapped().cb);
    node.mapped().timeout.reset();
    if (cb) {
      cb(exit);
    }
  }
}

}  // namespace vigil
