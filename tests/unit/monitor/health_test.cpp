#include "monitor/health.h"

#include <gtest/gtest.h>

#include "monitor/routes.h"

// /healthz's lateness rule: a worker whose snapshot (sent from a timer on
// its own loop every snapshot interval) is more than kLoopLatenessBound
// overdue has a late loop, and /healthz says which and by how much.
namespace vigil::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr TimePoint kNow{seconds(100)};

WorkerStatus worker(std::string name, TimePoint lastSnapshot) {
  WorkerStatus w;
  w.name = std::move(name);
  w.running = true;
  w.pid = 42;
  w.startedAt = TimePoint{seconds(1)};
  w.lastHeard = lastSnapshot;
  w.lastSnapshotAt = lastSnapshot;
  w.lastSnapshot = R"({"worker":"x"})";
  return w;
}

// Both workers; the check worker's last snapshot `checkAge` before now.
MonitorView view(Duration checkAge, Duration interval = seconds(1)) {
  MonitorView v;
  v.now = kNow;
  v.snapshotInterval = interval;
  v.workers = {worker("vrrp", kNow - milliseconds(100)), worker("check", kNow - checkAge)};
  return v;
}

HttpRequest healthz() {
  HttpRequest r;
  r.method = "GET";
  r.target = "/healthz";
  return r;
}

TEST(HealthTest, LatenessIsHowFarPastDueTheNextSnapshotIs) {
  const MonitorView v = view(milliseconds(1700));
  EXPECT_EQ(loopLateness(v.workers[0], v), Duration{0});  // 0.1 s old, not due yet
  EXPECT_EQ(loopLateness(v.workers[1], v), milliseconds(700));
}

TEST(HealthTest, ALoopLateByTheBoundIsStillHealthy) {
  const MonitorView v = view(seconds(1) + kLoopLatenessBound);
  EXPECT_TRUE(assessHealth(v).healthy);
  EXPECT_EQ(route(healthz(), v).status, 200);
}

TEST(HealthTest, ALoopLaterThanTheBoundIs503WithTheWorkerAndHowLate) {
  const MonitorView v = view(milliseconds(2500));
  const HealthVerdict verdict = assessHealth(v);
  EXPECT_FALSE(verdict.healthy);
  ASSERT_EQ(verdict.problems.size(), 1u);
  const HttpResponse r = route(healthz(), v);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "check worker: loop late: no snapshot for 2.5 s (due every 1.0 s)\n");
}

// The supervisor stalled 2.5 s; the check worker's snapshot came on time
// but waits unread behind the /healthz request: the supervisor's stall, not
// the worker's, so no 503. Once read (nothing waiting) the age is real.
TEST(HealthTest, ASnapshotWaitingUnreadIsNotALateLoop) {
  MonitorView v = view(milliseconds(2500));
  v.workers[1].messageWaiting = true;
  EXPECT_TRUE(assessHealth(v).healthy);
  EXPECT_EQ(route(healthz(), v).status, 200);
  v.workers[1].messageWaiting = false;
  EXPECT_FALSE(assessHealth(v).healthy);
}

// A short snapshot interval moves the due time, not the bound: 0.2 s
// snapshots may be 1.2 s old, not 0.6 s (three intervals).
TEST(HealthTest, TheBoundIsAddedToTheSnapshotInterval) {
  EXPECT_TRUE(assessHealth(view(milliseconds(1200), milliseconds(200))).healthy);
  EXPECT_FALSE(assessHealth(view(milliseconds(1250), milliseconds(200))).healthy);
}

}  // namespace
}  // namespace vigil::monitor
