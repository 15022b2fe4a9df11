#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "core/supervisor.h"
#include "fakes/run_until.h"

namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kLimit = seconds(10);

class IdleWorker final : public Worker {
 public:
  std::string snapshot() const override { return "{}"; }
  void reload(uint64_t) override {}
};

// A worker process that ignores SIGTERM: only SIGKILL ends it.
std::unique_ptr<Worker> makeDeafWorker(EventLoop& loop) {
  if (auto* posix = dynamic_cast<PosixEventLoop*>(&loop)) {
    (void)posix->onSignal(SIGTERM, [] {});
  }
  return std::make_unique<IdleWorker>();
}

WorkerFactory idle() {
  return [](EventLoop&) { return std::make_unique<IdleWorker>(); };
}

SupervisorOptions orderedOptions() {
  SupervisorOptions options;
  options.snapshotInterval = milliseconds(50);
  options.stopFirst = {"vrrp"};
  options.stopFirstTimeout = milliseconds(300);
  options.stopTimeout = seconds(1);
  return options;
}

// Who exited, in order, and who was still running at each exit.
struct ExitLog {
  std::vector<std::string> order;
  std::vector<bool> checkRunningAtVrrpExit;
  Supervisor* supervisor = nullptr;

  void observe(const WorkerStatus& s) {
    if (s.running || !supervisor->stopping()) return;
    order.push_back(s.name);
    if (s.name == "vrrp") {
      for (const auto& other : supervisor->status()) {
        if (other.name == "check") checkRunningAtVrrpExit.push_back(other.running);
      }
    }
  }
};

bool allHeard(const Supervisor& supervisor) {
  for (const auto& s : supervisor.status()) {
    if (!s.running || s.lastSnapshot.empty()) return false;
  }
  return true;
}

// One supervisor's life: its workers started and each heard from, then a
// stop run to completion. `order` and `checkRunningAtVrrpExit` come from
// ExitLog; `status` is the supervisor's view once every worker exited.
struct StopRun {
  ExitLog exits;
  std::vector<WorkerStatus> status;
};

::testing::AssertionResult startThenStop(std::vector<WorkerSpec> workers, SupervisorOptions options,
                                         StopRun& run) {
  PosixEventLoop loop;
  Supervisor supervisor(loop, std::move(workers), std::move(options));
  run.exits.supervisor = &supervisor;
  supervisor.setObserver([&](const WorkerStatus& s) { run.exits.observe(s); });
  if (!supervisor.start().ok()) return ::testing::AssertionFailure() << "start failed";
  if (!runUntil(
          loop, [&] { return allHeard(supervisor); }, kLimit)) {
    return ::testing::AssertionFailure() << "not every worker sent a snapshot";
  }
  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  if (!runUntil(
          loop, [&] { return stopped; }, kLimit)) {
    return ::testing::AssertionFailure() << "the stop did not complete";
  }
  supervisor.setObserver({});  // the log outlives this supervisor
  run.exits.supervisor = nullptr;
  run.status = supervisor.status();
  return ::testing::AssertionSuccess();
}

// Both listed "check" first: the order comes from stopFirst, not the list.
TEST(SupervisorStopOrder, CheckWorkerGetsSigtermOnlyAfterTheVrrpWorkerExited) {
  StopRun run;
  ASSERT_TRUE(startThenStop({{"check", idle()}, {"vrrp", idle()}}, orderedOptions(), run));
  EXPECT_EQ(run.exits.order, (std::vector<std::string>{"vrrp", "check"}));
  EXPECT_EQ(run.exits.checkRunningAtVrrpExit, (std::vector<bool>{true}));
  for (const auto& s : run.status) {
    ASSERT_TRUE(s.lastExitStatus.has_value()) << s.name;
    EXPECT_TRUE(WIFEXITED(*s.lastExitStatus)) << s.name;
  }
}

TEST(SupervisorStopOrder, AHungVrrpWorkerHoldsTheCheckWorkerOnlyUntilTheBound) {
  StopRun run;
  ASSERT_TRUE(startThenStop({{"vrrp", makeDeafWorker}, {"check", idle()}}, orderedOptions(), run));
  // The check worker stopped on SIGTERM after the bound; the deaf VRRP
  // worker was killed stopTimeout after that.
  EXPECT_EQ(run.exits.order, (std::vector<std::string>{"check", "vrrp"}));
  const auto& status = run.status;
  ASSERT_TRUE(status[0].lastExitStatus.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status[0].lastExitStatus));
  EXPECT_EQ(WTERMSIG(*status[0].lastExitStatus), SIGKILL);
  ASSERT_TRUE(status[1].lastExitStatus.has_value());
  EXPECT_TRUE(WIFEXITED(*status[1].lastExitStatus));
}

// With stopTimeout shorter than the bound, the deaf VRRP worker is killed
// first and the check worker still gets its SIGTERM (and its clean-up),
// never a SIGKILL it was not warned of.
TEST(SupervisorStopOrder, AShortStopTimeoutNeverKillsAWorkerNotYetTold) {
  SupervisorOptions options = orderedOptions();
  options.stopFirstTimeout = seconds(3);
  options.stopTimeout = milliseconds(300);
  StopRun run;
  ASSERT_TRUE(startThenStop({{"vrrp", makeDeafWorker}, {"check", idle()}}, options, run));
  EXPECT_EQ(run.exits.order, (std::vector<std::string>{"vrrp", "check"}));
  const auto& status = run.status;
  ASSERT_TRUE(status[0].lastExitStatus.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status[0].lastExitStatus));
  ASSERT_TRUE(status[1].lastExitStatus.has_value());
  EXPECT_TRUE(WIFEXITED(*status[1].lastExitStatus));
}

}  // namespace
}  // namespace vigil
