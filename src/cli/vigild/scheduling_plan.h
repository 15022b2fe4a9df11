#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config/model_global.h"
#include "core/result.h"

namespace vigil::cli {

// keepalived's default RLIMIT_RTTIME (µs of CPU between blocking system
// calls) for a process given a realtime priority without *_rlimit_rttime.
inline constexpr uint32_t kDefaultRlimitRttimeUsec = 10000;

// What a worker process does to its own scheduling right after the fork,
// from the vrrp_* or checker_* keywords of global_defs. Each field is one
// system call; an empty field means "leave the inherited setting alone".
struct SchedulingPlan {
  std::optional<uint32_t> rlimitRttimeUsec;  // setrlimit(RLIMIT_RTTIME), soft = hard
  std::optional<int> realtimePriority;       // sched_setscheduler(SCHED_RR)
  std::optional<int> nice;                   // setpriority(PRIO_PROCESS)
  bool lockMemory = false;                   // mlockall(MCL_CURRENT | MCL_FUTURE)
  std::vector<int> cpus;                     // sched_setaffinity

  bool empty() const;
  bool operator==(const SchedulingPlan&) const = default;
};

// The plan for one worker. RLIMIT_RTTIME only matters to a realtime process,
// so (as keepalived does) it is set only with a realtime priority, and then
// defaults to kDefaultRlimitRttimeUsec: a worker spinning at SCHED_RR is
// killed (and restarted by the supervisor) instead of starving the box.
SchedulingPlan schedulingPlan(const config::ProcessTuning& tuning);

// The system calls a plan is applied with; tests substitute a recorder.
class SchedulingCalls {
 public:
  virtual ~SchedulingCalls() = default;
  virtual Status setRlimitRttime(uint32_t usec) = 0;
  virtual Status setRealtimePriority(int priority) = 0;
  virtual Status setNice(int nice) = 0;
  virtual Status lockMemory() = 0;
  virtual Status setCpuAffinity(const std::vector<int>& cpus) = 0;
};

// The calling process's own scheduling, through the real system calls.
class PosixSchedulingCalls : public SchedulingCalls {
 public:
  Status setRlimitRttime(uint32_t usec) override;
  Status setRealtimePriority(int priority) override;
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

// What a worker process calls first thing after the fork: its plan from
// `tuning`, applied with PosixSchedulingCalls.
void applyWorkerScheduling(std::string_view worker, const config::ProcessTuning& tuning);

}  // namespace vigil::cli
