#include "cli/vigild/scheduling_plan.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <csignal>
#include <utility>

#include "core/log.h"

namespace vigil::cli {

bool SchedulingPlan::empty() const {
  return !rttime && !realtimePriority && !nice && !lockMemory && cpus.empty();
}

SchedulingPlan schedulingPlan(const config::ProcessTuning& tuning) {
  SchedulingPlan plan;
  plan.realtimePriority = tuning.rtPriority;
  if (tuning.rtPriority) {
    const uint64_t soft = tuning.rlimitRttimeUsec.value_or(kDefaultRlimitRttimeUsec);
    plan.rttime = RttimeLimit{soft, soft + kRttimeHardMarginUsec};
  }
  plan.nice = tuning.nice;
  plan.lockMemory = tuning.noSwap;
  plan.cpus = tuning.cpuAffinity;
  return plan;
}

Status PosixSchedulingCalls::setRlimitRttime(const RttimeLimit& limit) {
  rlimit value{limit.softUsec, limit.hardUsec};
  if (::setrlimit(RLIMIT_RTTIME, &value) != 0) return errnoError("setrlimit(RLIMIT_RTTIME)");
  return {};
}

Status PosixSchedulingCalls::setRealtimePriority(int policy, int priority) {
  sched_param param{};
  param.sched_priority = priority;
  if (::sched_setscheduler(0, policy, &param) != 0) return errnoError("sched_setscheduler");
  return {};
}

Status PosixSchedulingCalls::setNice(int nice) {
  if (::setpriority(PRIO_PROCESS, 0, nice) != 0) return errnoError("setpriority");
  return {};
}

Status PosixSchedulingCalls::lockMemory() {
  if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) return errnoError("mlockall");
  return {};
}

Status PosixSchedulingCalls::setCpuAffinity(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
  }
  if (::sched_setaffinity(0, sizeof(set), &set) != 0) return errnoError("sched_setaffinity");
  return {};
}

namespace {

int warnIfRefused(const Status& status, std::string_view worker, std::string_view keyword) {
  if (status) return 0;
  log(LogLevel::Warning, "{} worker: {} not applied, running with the inherited setting: {}",
      worker, keyword, status.error().describe());
  return 1;
}

}  // namespace

int applySchedulingPlan(const SchedulingPlan& plan, std::string_view worker,
                        SchedulingCalls& calls) {
  const std::string prefix(worker == "check" ? "checker" : worker);
  int refused = 0;
  if (plan.rttime) {
    refused +=
        warnIfRefused(calls.setRlimitRttime(*plan.rttime), worker, prefix + "_rlimit_rttime");
  }
  if (plan.realtimePriority) {
    refused += warnIfRefused(calls.setRealtimePriority(kRealtimePolicy, *plan.realtimePriority),
                             worker, prefix + "_rt_priority");
  }
  if (plan.nice) refused += warnIfRefused(calls.setNice(*plan.nice), worker, prefix + "_priority");
  if (plan.lockMemory) refused += warnIfRefused(calls.lockMemory(), worker, prefix + "_no_swap");
  if (!plan.cpus.empty()) {
    refused += warnIfRefused(calls.setCpuAffinity(plan.cpus), worker, prefix + "_cpu_affinity");
  }
  return refused;
}

RttimeOverrunWarning::RttimeOverrunWarning(EventLoop& loop, std::string worker, RttimeLimit limit,
                                           std::unique_ptr<SchedulingCalls> calls)
    : worker_(std::move(worker)),
      limit_(limit),
      calls_(std::move(calls)),
      restore_(loop.createTimer([this] { restoreSoftLimit(); })) {}

void RttimeOverrunWarning::onSigxcpu(TimePoint now) {
  ++overruns_;
  log_.log(now.time_since_epoch(), LogLevel::Warning,
           "{} worker: ran more than {} us at realtime priority without blocking "
           "(soft RLIMIT_RTTIME, overrun {}); it is killed at {} us",
           worker_, limit_.softUsec, overruns_, limit_.hardUsec);
  if (!restore_->armed()) restore_->armAfter(kRttimeRestoreDelay);
}

void RttimeOverrunWarning::restoreSoftLimit() {
  Status restored = calls_->setRlimitRttime(limit_);
  if (!restored) {
    log(LogLevel::Warning, "{} worker: soft RLIMIT_RTTIME not restored: {}", worker_,
        restored.error().describe());
  }
}

Result<std::shared_ptr<const RttimeOverrunWarning>> warnOnRttimeOverrun(
    PosixEventLoop& loop, std::string_view worker, const RttimeLimit& limit,
    std::unique_ptr<SchedulingCalls> calls) {
  auto warning =
      std::make_shared<RttimeOverrunWarning>(loop, std::string(worker), limit, std::move(calls));
  Status handled = loop.onSignal(SIGXCPU, [warning, &loop] { warning->onSigxcpu(loop.now()); });
  if (!handled) return handled.error();
  return std::shared_ptr<const RttimeOverrunWarning>(warning);
}

void applyWorkerScheduling(std::string_view worker, const config::ProcessTuning& tuning,
                           EventLoop& loop) {
  const SchedulingPlan plan = schedulingPlan(tuning);
  if (plan.empty()) return;
  if (plan.rttime) {
    // A worker process runs on a PosixEventLoop (runWorkerProcess); should
    // it not, SIGXCPU is ignored rather than left to kill it.
    auto* posix = dynamic_cast<PosixEventLoop*>(&loop);
    if (posix == nullptr || !warnOnRttimeOverrun(*posix, worker, *plan.rttime,
                                                 std::make_unique<PosixSchedulingCalls>())) {
      (void)::signal(SIGXCPU, SIG_IGN);
    }
  }
  PosixSchedulingCalls calls;
  if (applySchedulingPlan(plan, worker, calls) == 0) {
    log(LogLevel::Info, "{} worker: scheduling keywords of global_defs applied", worker);
  }
}

}  // namespace vigil::cli
