#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/supervisor.h"
#include "fakes/run_until.h"
#include "monitor/health.h"
#include "monitor/monitor_view.h"

namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A large snapshot that never changes: after the first one, its WorkerHost
// sends only Heartbeats.
class SteadyWorker final : public Worker {
 public:
  std::string snapshot() const override { return text(); }
  void reload(uint64_t) override {}
  static std::string text() {
    return "{\"worker\":\"steady\",\"pad\":\"" + std::string(64 * 1024, 'x') + "\"}";
  }
};

SupervisorOptions steadyOptions(bool inProcess) {
  SupervisorOptions options;
  options.inProcess = inProcess;
  options.snapshotInterval = milliseconds(200);  // /healthz allows 3: slack for a busy CI
  options.stopTimeout = seconds(3);
  return options;
}

monitor::MonitorView viewOf(const Supervisor& supervisor, TimePoint now, Duration interval) {
  monitor::MonitorView view;
  view.workers = supervisor.status();
  view.now = now;
  view.snapshotInterval = interval;
  return view;
}

// Heartbeats keep the snapshot fresh for /healthz, and the text stays the
// one the first Snapshot carried. Runs for many more than kSilentIntervals
// intervals so a heartbeat that did not count would turn /healthz bad.
void expectHeartbeatsKeepSnapshotFresh(bool inProcess) {
  PosixEventLoop loop;
  SupervisorOptions options = steadyOptions(inProcess);
  WorkerFactory factory = [](EventLoop&) { return std::make_unique<SteadyWorker>(); };
  Supervisor supervisor(loop, {{"steady", factory}}, options);
  ASSERT_TRUE(supervisor.start().ok());
  ASSERT_TRUE(runUntil(
      loop, [&] { return supervisor.status()[0].lastSnapshotAt.has_value(); }, seconds(10)));
  TimePoint first = *supervisor.status()[0].lastSnapshotAt;

  int refreshes = 0;
  TimePoint seen = first;
  bool alwaysHealthy = true;
  ASSERT_TRUE(runUntil(
      loop,
      [&] {
        WorkerStatus status = supervisor.status()[0];
        if (*status.lastSnapshotAt != seen) {
          seen = *status.lastSnapshotAt;
          ++refreshes;
        }
        EXPECT_EQ(status.lastSnapshot.str(), SteadyWorker::text());
        alwaysHealthy =
            alwaysHealthy &&
            monitor::assessHealth(viewOf(supervisor, loop.now(), options.snapshotInterval)).healthy;
        return refreshes >= 10;
      },
      seconds(20)));
  EXPECT_TRUE(alwaysHealthy);
  EXPECT_GT(seen, first);

  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  ASSERT_TRUE(runUntil(
      loop, [&] { return stopped; }, seconds(10)));
}

TEST(SupervisorHeartbeat, HeartbeatsFromAForkedWorkerKeepItsSnapshotFresh) {
  expectHeartbeatsKeepSnapshotFresh(/*inProcess=*/false);
}

TEST(SupervisorHeartbeat, HeartbeatsFromAnInProcessWorkerKeepItsSnapshotFresh) {
  expectHeartbeatsKeepSnapshotFresh(/*inProcess=*/true);
}

// The supervisor stalls (its loop does not run) while a forked worker's
// heartbeat arrives: status() says a message waits, and /healthz does not
// blame the worker even once lastSnapshotAt is seconds old; once the loop
// runs, the message is read and the snapshot is fresh again.
TEST(SupervisorHeartbeat, AMessageWaitingThroughASupervisorStallIsNotALateWorker) {
  PosixEventLoop loop;
  SupervisorOptions options = steadyOptions(/*inProcess=*/false);
  WorkerFactory factory = [](EventLoop&) { return std::make_unique<SteadyWorker>(); };
  Supervisor supervisor(loop, {{"steady", factory}}, options);
  ASSERT_TRUE(supervisor.start().ok());
  ASSERT_TRUE(runUntil(
      loop, [&] { return supervisor.status()[0].lastSnapshotAt.has_value(); }, seconds(10)));
  const TimePoint read = *supervisor.status()[0].lastSnapshotAt;

  // The stall: the loop is not run until the worker's next message waits.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (!supervisor.status()[0].messageWaiting && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(supervisor.status()[0].messageWaiting);
  // Judged as if the stall had lasted 3 s past the last read.
  const TimePoint late = read + seconds(3);
  EXPECT_TRUE(monitor::assessHealth(viewOf(supervisor, late, options.snapshotInterval)).healthy);

  ASSERT_TRUE(runUntil(
      loop, [&] { return *supervisor.status()[0].lastSnapshotAt > read; }, seconds(10)));

  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  ASSERT_TRUE(runUntil(
      loop, [&] { return stopped; }, seconds(10)));
}

}  // namespace
}  // namespace vigil
