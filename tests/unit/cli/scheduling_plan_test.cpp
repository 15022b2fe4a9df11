#include "cli/vigild/scheduling_plan.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/run_until.h"

namespace vigil::cli {
namespace {

// Records every call as text; refuses the ones named in refuse_.
class RecordingCalls : public SchedulingCalls {
 public:
  explicit RecordingCalls(std::set<std::string> refuse = {}) : refuse_(std::move(refuse)) {}

  Status setRlimitRttime(const RttimeLimit& limit) override {
    return record("rlimit_rttime",
                  std::to_string(limit.softUsec) + "/" + std::to_string(limit.hardUsec));
  }
  Status setRealtimePriority(int policy, int priority) override {
    // Only the policy the workers use is spelled; anything else shows as a
    // number and fails the comparisons below.
    const std::string name = policy == (SCHED_RR | SCHED_RESET_ON_FORK)
                                 ? "sched_rr"
                                 : "policy_" + std::to_string(policy);
    return record(name, std::to_string(priority));
  }
  Status setNice(int nice) override { return record("nice", std::to_string(nice)); }
  Status lockMemory() override { return record("mlockall", "current|future"); }
  Status setCpuAffinity(const std::vector<int>& cpus) override {
    std::string list;
    for (int cpu : cpus) list += (list.empty() ? "" : ",") + std::to_string(cpu);
    return record("affinity", list);
  }

  std::vector<std::string> calls;

 private:
  Status record(const std::string& name, const std::string& argument) {
    calls.push_back(name + " " + argument);
    if (refuse_.contains(name)) return Error{EPERM, name};
    return {};
  }
  std::set<std::string> refuse_;
};

config::GlobalDefs globalDefs(const std::string& body) {
  auto loaded = config::loadConfigText("t.conf", "global_defs {\n" + body + "\n}\n", {});
  EXPECT_TRUE(loaded.config) << config::errorSummary(loaded);
  return loaded.config ? loaded.config->global : config::GlobalDefs{};
}

TEST(SchedulingPlanTest, NothingConfiguredChangesNothing) {
  const auto global = globalDefs("router_id a");
  EXPECT_TRUE(schedulingPlan(global.vrrpProcess).empty());
  EXPECT_TRUE(schedulingPlan(global.checkerProcess).empty());
  RecordingCalls calls;
  EXPECT_EQ(applySchedulingPlan(schedulingPlan(global.vrrpProcess), "vrrp", calls), 0);
  EXPECT_TRUE(calls.calls.empty());
}

TEST(SchedulingPlanTest, RealtimePriorityBringsKeepalivedsDefaultRttimeLimitFirst) {
  const auto global = globalDefs("vrrp_rt_priority 10");
  RecordingCalls calls;
  EXPECT_EQ(applySchedulingPlan(schedulingPlan(global.vrrpProcess), "vrrp", calls), 0);
  EXPECT_EQ(calls.calls, (std::vector<std::string>{"rlimit_rttime 10000/3010000", "sched_rr 10"}));
  EXPECT_TRUE(schedulingPlan(global.checkerProcess).empty());
}

TEST(SchedulingPlanTest, EveryKeywordOfOneWorkerBecomesItsCall) {
  const auto global = globalDefs(
      "checker_rt_priority 20\nchecker_rlimit_rttime 50000\nchecker_priority -5\n"
      "checker_no_swap\nchecker_cpu_affinity 0 1");
  RecordingCalls calls;
  EXPECT_EQ(applySchedulingPlan(schedulingPlan(global.checkerProcess), "check", calls), 0);
  EXPECT_EQ(calls.calls,
            (std::vector<std::string>{"rlimit_rttime 50000/3050000", "sched_rr 20", "nice -5",
                                      "mlockall current|future", "affinity 0,1"}));
  EXPECT_TRUE(schedulingPlan(global.vrrpProcess).empty());
}

TEST(SchedulingPlanTest, RttimeLimitAloneIsNotApplied) {
  // RLIMIT_RTTIME only limits realtime processes: without a realtime
  // priority it would change nothing, so no call is made.
  const auto global = globalDefs("vrrp_rlimit_rttime 20000\nvrrp_priority -10");
  SchedulingPlan expected;
  expected.nice = -10;
  EXPECT_EQ(schedulingPlan(global.vrrpProcess), expected);
}

TEST(SchedulingPlanTest, RefusedStepIsCountedAndTheRestStillRun) {
  const auto global = globalDefs("vrrp_rt_priority 10\nvrrp_priority -5\nvrrp_no_swap");
  RecordingCalls calls({"sched_rr", "mlockall"});
  EXPECT_EQ(applySchedulingPlan(schedulingPlan(global.vrrpProcess), "vrrp", calls), 2);
  EXPECT_EQ(calls.calls, (std::vector<std::string>{"rlimit_rttime 10000/3010000", "sched_rr 10",
                                                   "nice -5", "mlockall current|future"}));
}

TEST(SchedulingPlanTest, HardRttimeLimitSitsAFixedMarginAboveTheSoftOne) {
  // The soft limit is only a warning (SIGXCPU); the kill comes
  // kRttimeHardMarginUsec later, even for the largest soft limit accepted.
  EXPECT_EQ(schedulingPlan(globalDefs("vrrp_rt_priority 10").vrrpProcess).rttime,
            (RttimeLimit{10000, 3010000}));
  EXPECT_EQ(
      schedulingPlan(globalDefs("vrrp_rt_priority 10\nvrrp_rlimit_rttime 4294967295").vrrpProcess)
          .rttime,
      (RttimeLimit{4294967295ULL, 4294967295ULL + 3000000}));
}

TEST(SchedulingPlanTest, RealtimePolicyIsResetInForkedChildren) {
  // Notify and MISC_CHECK scripts the worker forks must start at
  // SCHED_OTHER, not at the worker's realtime priority.
  EXPECT_EQ(kRealtimePolicy, SCHED_RR | SCHED_RESET_ON_FORK);
  RecordingCalls calls({"policy_" + std::to_string(SCHED_RR)});
  EXPECT_EQ(applySchedulingPlan(schedulingPlan(globalDefs("vrrp_rt_priority 10").vrrpProcess),
                                "vrrp", calls),
            0);
  EXPECT_EQ(calls.calls.at(1), "sched_rr 10");
}

TEST(SchedulingPlanTest, EachOverrunIsCountedAndTheSoftLimitRestoredOnceASecondLater) {
  SimulatedLoop loop;
  auto owned = std::make_unique<RecordingCalls>();
  RecordingCalls& calls = *owned;
  RttimeOverrunWarning warning(loop, "vrrp", RttimeLimit{10000, 3010000}, std::move(owned));
  warning.onSigxcpu(loop.now());
  warning.onSigxcpu(loop.now());
  // Still running without having slept: restoring now would only bring the
  // next SIGXCPU on the next tick.
  EXPECT_TRUE(calls.calls.empty());
  loop.advance(kRttimeRestoreDelay - std::chrono::milliseconds(1));
  EXPECT_TRUE(calls.calls.empty());
  loop.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(calls.calls, (std::vector<std::string>{"rlimit_rttime 10000/3010000"}));
  warning.onSigxcpu(loop.now());
  loop.advance(kRttimeRestoreDelay);
  EXPECT_EQ(warning.overruns(), 3u);
  EXPECT_EQ(calls.calls, (std::vector<std::string>(2, "rlimit_rttime 10000/3010000")));
}

TEST(SchedulingPlanTest, SigxcpuOnTheWorkerLoopWarnsInsteadOfKilling) {
  // Without the handler, SIGXCPU's default action would end this test
  // binary with a core.
  PosixEventLoop loop;
  auto owned = std::make_unique<RecordingCalls>();
  RecordingCalls& calls = *owned;
  auto warning = warnOnRttimeOverrun(loop, "vrrp", RttimeLimit{10000, 3010000}, std::move(owned));
  ASSERT_TRUE(warning) << warning.error().describe();
  ASSERT_EQ(::raise(SIGXCPU), 0);
  EXPECT_TRUE(fakes::runUntil(loop, [&] { return (*warning)->overruns() == 1; }));
  EXPECT_TRUE(calls.calls.empty());  // restored kRttimeRestoreDelay later
}

}  // namespace
}  // namespace vigil::cli
