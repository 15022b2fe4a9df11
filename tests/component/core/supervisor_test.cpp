#include "core/supervisor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <sstream>

#include "core/process.h"
#include "fakes/process_probe.h"
#include "fakes/run_until.h"

namespace vigil {
namespace {

using fakes::openPidFd;
using fakes::runUntil;
using fakes::waitExit;
using fakes::waitGone;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kLimit = seconds(10);

// Reports the last configuration generation it was given.
class GenerationWorker final : public Worker {
 public:
  std::string snapshot() const override {
    return "{\"generation\":" + std::to_string(generation_) + "}";
  }
  void reload(uint64_t generation) override { generation_ = generation; }

 private:
  uint64_t generation_ = 1;
};

std::vector<WorkerSpec> twoWorkers() {
  WorkerFactory factory = [](EventLoop&) { return std::make_unique<GenerationWorker>(); };
  return {{"alpha", factory}, {"beta", factory}};
}

SupervisorOptions fastOptions(bool inProcess = false) {
  SupervisorOptions options;
  options.inProcess = inProcess;
  options.backoff.initial = milliseconds(50);
  options.snapshotInterval = milliseconds(50);
  options.stopTimeout = seconds(3);
  return options;
}

bool allSnapshotsAre(const Supervisor& supervisor, const std::string& snapshot) {
  for (const auto& status : supervisor.status()) {
    if (!status.running || status.lastSnapshot != snapshot) {
      return false;
    }
  }
  return true;
}

TEST(Supervisor, RespawnsAKilledWorkerAndForwardsReloads) {
  PosixEventLoop loop;
  Supervisor supervisor(loop, twoWorkers(), fastOptions());
  ASSERT_TRUE(supervisor.start().ok());
  ASSERT_TRUE(runUntil(
      loop, [&] { return allSnapshotsAre(supervisor, "{\"generation\":1}"); }, kLimit));
  auto before = supervisor.status();
  ASSERT_EQ(before.size(), 2u);
  pid_t alphaPid = before[0].pid;
  pid_t betaPid = before[1].pid;
  ASSERT_GT(alphaPid, 0);
  EXPECT_NE(alphaPid, ::getpid());

  ASSERT_EQ(::kill(alphaPid, SIGKILL), 0);
  ASSERT_TRUE(runUntil(
      loop,
      [&] {
        auto alpha = supervisor.status()[0];
        return alpha.running && alpha.pid != alphaPid && !alpha.lastSnapshot.empty();
      },
      kLimit));
  auto after = supervisor.status();
  EXPECT_EQ(after[0].restarts, 1u);
  ASSERT_TRUE(after[0].lastExitStatus.has_value());
  EXPECT_TRUE(WIFSIGNALED(*after[0].lastExitStatus));
  EXPECT_EQ(WTERMSIG(*after[0].lastExitStatus), SIGKILL);
  EXPECT_EQ(after[1].pid, betaPid);
  EXPECT_EQ(after[1].restarts, 0u);

  supervisor.reload(2);
  ASSERT_TRUE(runUntil(
      loop, [&] { return allSnapshotsAre(supervisor, "{\"generation\":2}"); }, kLimit));

  UniqueFd alphaGone = openPidFd(after[0].pid);
  UniqueFd betaGone = openPidFd(betaPid);
  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  ASSERT_TRUE(runUntil(
      loop, [&] { return stopped; }, kLimit));
  EXPECT_TRUE(waitGone(alphaGone, milliseconds(0)));
  EXPECT_TRUE(waitGone(betaGone, milliseconds(0)));
  for (const auto& status : supervisor.status()) {
    EXPECT_FALSE(status.running);
    EXPECT_EQ(status.restarts, status.name == "alpha" ? 1u : 0u);
  }
}

TEST(Supervisor, SingleProcessModeRunsWorkersOnTheSupervisorLoop) {
  PosixEventLoop loop;
  Supervisor supervisor(loop, twoWorkers(), fastOptions(/*inProcess=*/true));
  ASSERT_TRUE(supervisor.start().ok());
  ASSERT_TRUE(runUntil(
      loop, [&] { return allSnapshotsAre(supervisor, "{\"generation\":1}"); }, kLimit));
  for (const auto& status : supervisor.status()) {
    EXPECT_EQ(status.pid, ::getpid());
  }
  EXPECT_EQ(loop.watchedChildren(), 0u);
  supervisor.reload(5);
  ASSERT_TRUE(runUntil(
      loop, [&] { return allSnapshotsAre(supervisor, "{\"generation\":5}"); }, kLimit));
  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  ASSERT_TRUE(runUntil(
      loop, [&] { return stopped; }, kLimit));
}

// A supervisor in a process of its own, reporting "name pid running" lines
// on a pipe whenever a worker starts or exits.
class SupervisorProcess {
 public:
  SupervisorProcess() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      return;
    }
    UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
    pid_ = ::fork();
    if (pid_ == 0) {
      readEnd.reset();
      ::_exit(supervise(writeEnd.get()));
    }
    reports_ = std::move(readEnd);
  }
  ~SupervisorProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  // Reads reports until every worker named has a running pid.
  std::map<std::string, pid_t> waitForWorkers(size_t count) {
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    while (running_.size() < count && std::chrono::steady_clock::now() < deadline) {
      pollfd p{reports_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) != 1) {
        continue;
      }
      char buf[512];
      ssize_t n = ::read(reports_.get(), buf, sizeof buf);
      if (n <= 0) {
        break;
      }
      pending_.append(buf, static_cast<size_t>(n));
      for (size_t eol; (eol = pending_.find('\n')) != std::string::npos;) {
        std::istringstream line(pending_.substr(0, eol));
        pending_.erase(0, eol + 1);
        std::string name;
        pid_t pid = 0;
        int running = 0;
        line >> name >> pid >> running;
        if (running) {
          running_[name] = pid;
        } else {
          running_.erase(name);
        }
      }
    }
    return running_;
  }

  std::optional<int> waitExit() {
    auto status = fakes::waitExit(pid_, kLimit);
    reaped_ = status.has_value();
    return status;
  }

 private:
  static int supervise(int reportFd) {
    PosixEventLoop loop;
    Supervisor supervisor(loop, twoWorkers(), fastOptions());
    supervisor.setObserver([reportFd](const WorkerStatus& s) {
      std::string line =
          s.name + " " + std::to_string(s.pid) + " " + (s.running ? "1" : "0") + "\n";
      [[maybe_unused]] ssize_t n = ::write(reportFd, line.data(), line.size());
    });
    Status handled = loop.onSignal(SIGTERM, [&] { supervisor.stop([&] { loop.stop(); }); });
    if (!handled || !supervisor.start()) {
      return 2;
    }
    loop.run();
    return 0;
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd reports_;
  std::string pending_;
  std::map<std::string, pid_t> running_;
};

TEST(Supervisor, SigtermStopsWorkersAndExitsZero) {
  SupervisorProcess supervisor;
  ASSERT_GT(supervisor.pid(), 0);
  auto workers = supervisor.waitForWorkers(2);
  ASSERT_EQ(workers.size(), 2u);
  UniqueFd alpha = openPidFd(workers["alpha"]);
  UniqueFd beta = openPidFd(workers["beta"]);
  ASSERT_TRUE(alpha && beta);

  ASSERT_EQ(::kill(supervisor.pid(), SIGTERM), 0);
  auto status = supervisor.waitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status)) << describeExitStatus(*status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(waitGone(alpha, milliseconds(0)));
  EXPECT_TRUE(waitGone(beta, milliseconds(0)));
}

TEST(Supervisor, WorkersDieWithAKilledSupervisor) {
  SupervisorProcess supervisor;
  ASSERT_GT(supervisor.pid(), 0);
  auto workers = supervisor.waitForWorkers(2);
  ASSERT_EQ(workers.size(), 2u);
  UniqueFd alpha = openPidFd(workers["alpha"]);
  UniqueFd beta = openPidFd(workers["beta"]);
  ASSERT_TRUE(alpha && beta);

  ASSERT_EQ(::kill(supervisor.pid(), SIGKILL), 0);
  auto status = supervisor.waitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_TRUE(waitGone(alpha, kLimit));
  EXPECT_TRUE(waitGone(beta, kLimit));
}

// The worker-side half of the contract, without the channel: an orphan that
// only sleeps can die of nothing but the parent-death signal.
TEST(Supervisor, ParentDeathSignalReachesAnOrphan) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
  pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    pid_t self = ::getpid();
    pid_t orphan = ::fork();
    if (orphan == 0) {
      if (!dieWithParent(SIGTERM, self)) {
        ::_exit(1);
      }
      for (;;) {
        ::pause();
      }
    }
    [[maybe_unused]] ssize_t n = ::write(writeEnd.get(), &orphan, sizeof orphan);
    for (;;) {
      ::pause();
    }
  }
  writeEnd.reset();
  pid_t orphan = 0;
  pollfd p{readEnd.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, static_cast<int>(kLimit.count())), 1);
  ASSERT_EQ(::read(readEnd.get(), &orphan, sizeof orphan), static_cast<ssize_t>(sizeof orphan));
  UniqueFd orphanGone = openPidFd(orphan);
  ASSERT_TRUE(orphanGone);
  EXPECT_FALSE(waitGone(orphanGone, milliseconds(0)));

  ASSERT_EQ(::kill(parent, SIGKILL), 0);
  ASSERT_TRUE(waitExit(parent, kLimit).has_value());
  EXPECT_TRUE(waitGone(orphanGone, kLimit));
}

}  // namespace
}  // namespace vigil
