#pragma once

#include <sched.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_global.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "core/posix_event_loop.h"
#include "core/result.h"

namespace vigil::cli {

// keepalived's default RLIMIT_RTTIME (µs of CPU between blocking system
// calls) for a process given a realtime priority without *_rlimit_rttime.
// It is the soft limit: crossing it sends SIGXCPU, which the worker turns
// into a warning (RttimeOverrunWarning).
inline constexpr uint32_t kDefaultRlimitRttimeUsec = 10000;

// How far past the soft limit the hard limit (SIGKILL) sits: 3 s, whatever
// the soft limit. A worker applying a large reload may legitimately run far
// longer than 10 ms without sleeping and must not die for it; one still
// spinning 3 s later is a runaway: at the default advert_int a backup has
// taken over by then (Master_Down_Interval = 3 * Master_Adver_Interval +
// Skew_Time), so killing it costs nothing more and the supervisor restarts
// it. Meanwhile the kernel's RT throttling (sched_rt_runtime_us) keeps the
// box usable. A fixed margin rather than a multiple of the soft limit, so an
// operator tuning the warning threshold does not move the kill with it.
inline constexpr uint64_t kRttimeHardMarginUsec = 3'000'000;

// The policy a worker with *_rt_priority runs at. SCHED_RESET_ON_FORK (as
// keepalived sets it) makes every child the worker forks (notify scripts,
// MISC_CHECK scripts, nft) start at SCHED_OTHER with its nice reset: a script
// must not compete with VRRP at realtime priority. The children do inherit
// RLIMIT_RTTIME across fork and exec (rlimits always are), but it limits
// only realtime tasks, so it is inert in a SCHED_OTHER child; were a child
// to run at SCHED_RR, it would die of SIGXCPU's default action (a core) after
// the soft limit, since exec resets the worker's SIGXCPU handler.
inline constexpr int kRealtimePolicy = SCHED_RR | SCHED_RESET_ON_FORK;

// How long after a SIGXCPU the soft RLIMIT_RTTIME is set back. The kernel
// resets its realtime-runtime count only when the task sleeps, so a soft
// limit restored at once, while the worker is still running, would send
// SIGXCPU again on the next tick and count ticks rather than overruns. A
// timer on the worker's own loop can only fire after the loop turned (the
// worker blocked in epoll_wait); the kernel's own bump of the soft limit by
// a second per SIGXCPU covers the gap.
inline constexpr Duration kRttimeRestoreDelay = std::chrono::seconds(1);

// RLIMIT_RTTIME's two values, in µs of CPU between blocking system calls.
struct RttimeLimit {
  uint64_t softUsec = 0;  // SIGXCPU: a warning
  uint64_t hardUsec = 0;  // SIGKILL: soft + kRttimeHardMarginUsec
  bool operator==(const RttimeLimit&) const = default;
};

// What a worker process does to its own scheduling right after the fork,
// from the vrrp_* or checker_* keywords of global_defs. Each field is one
// system call; an empty field means "leave the inherited setting alone".
struct SchedulingPlan {
  std::optional<RttimeLimit> rttime;    // setrlimit(RLIMIT_RTTIME)
  std::optional<int> realtimePriority;  // sched_setscheduler(kRealtimePolicy)
  std::optional<int> nice;              // setpriority(PRIO_PROCESS)
  bool lockMemory = false;              // mlockall(MCL_CURRENT | MCL_FUTURE)
  std::vector<int> cpus;                // sched_setaffinity

  bool empty() const;
  bool operator==(const SchedulingPlan&) const = default;
};

// The plan for one worker. RLIMIT_RTTIME only matters to a realtime process,
// so (as keepalived does) it is set only with a realtime priority. Its soft
// limit is *_rlimit_rttime (default kDefaultRlimitRttimeUsec), a warning;
// its hard limit kRttimeHardMarginUsec above: a worker spinning at SCHED_RR
// is killed (and restarted by the supervisor) instead of starving the box.
SchedulingPlan schedulingPlan(const config::ProcessTuning& tuning);

// The system calls a plan is applied with; tests substitute a recorder.
class SchedulingCalls {
 public:
  virtual ~SchedulingCalls() = default;
  virtual Status setRlimitRttime(const RttimeLimit& limit) = 0;
  virtual Status setRealtimePriority(int policy, int priority) = 0;
  virtual Status setNice(int nice) = 0;
  virtual Status lockMemory() = 0;
  virtual Status setCpuAffinity(const std::vector<int>& cpus) = 0;
};

// The calling process's own scheduling, through the real system calls.
class PosixSchedulingCalls : public SchedulingCalls {
 public:
  Status setRlimitRttime(const RttimeLimit& limit) override;
  Status setRealtimePriority(int policy, int priority) override;
  Status setNice(int nice) override;
  Status lockMemory() override;
  Status setCpuAffinity(const std::vector<int>& cpus) override;
};

// Applies every step of `plan` in order (the rlimit before the realtime
// priority, so a runaway never runs unlimited). A refused step (no
// CAP_SYS_NICE, RLIMIT_MEMLOCK, a container) is logged as a warning naming
// `worker` and the keyword, and the rest still run: the worker works, only
// with less favourable scheduling. Returns how many steps were refused.
int applySchedulingPlan(const SchedulingPlan& plan, std::string_view worker,
                        SchedulingCalls& calls);

// What a worker does with SIGXCPU, whose default action kills it with a
// core: RLIMIT_RTTIME's soft limit sends it when the worker ran that long at
// SCHED_RR without blocking. Each one is counted and logged as a warning (at
// most one line a second, the next one saying how many were suppressed).
// The kernel raises the soft limit by a second with every SIGXCPU it sends;
// the soft limit is set back kRttimeRestoreDelay later, from a timer on
// `loop` (one restore however many SIGXCPU came meanwhile), so the next
// overrun warns again. The hard limit is never touched: a runaway still dies
// there.
class RttimeOverrunWarning {
 public:
  RttimeOverrunWarning(EventLoop& loop, std::string worker, RttimeLimit limit,
                       std::unique_ptr<SchedulingCalls> calls);

  void onSigxcpu(TimePoint now);
  uint64_t overruns() const { return overruns_; }

 private:
  void restoreSoftLimit();

  std::string worker_;
  RttimeLimit limit_;
  std::unique_ptr<SchedulingCalls> calls_;
  std::unique_ptr<Timer> restore_;
  uint64_t overruns_ = 0;
  RateLimitedLog log_{1, std::chrono::seconds(1)};
};

// Routes SIGXCPU on `loop` to a new RttimeOverrunWarning (which the loop
// keeps) and returns it. Install it before the rlimit is set, so the first
// overrun cannot kill the worker.
Result<std::shared_ptr<const RttimeOverrunWarning>> warnOnRttimeOverrun(
    PosixEventLoop& loop, std::string_view worker, const RttimeLimit& limit,
    std::unique_ptr<SchedulingCalls> calls);

// What a worker process calls first thing after the fork, with the loop it
// runs on: its plan from `tuning`, applied with PosixSchedulingCalls, and
// SIGXCPU made a warning when the plan sets RLIMIT_RTTIME.
void applyWorkerScheduling(std::string_view worker, const config::ProcessTuning& tuning,
                           EventLoop& loop);

}  // namespace vigil::cli
