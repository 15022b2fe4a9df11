#include "monitor/routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "monitor/health.h"

namespace vigil::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

HttpRequest get(std::string target, std::string method = "GET") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

WorkerStatus worker(std::string name, TimePoint started, std::optional<TimePoint> heard) {
  WorkerStatus w;
  w.name = std::move(name);
  w.running = true;
  w.pid = 42;
  w.startedAt = started;
  w.lastHeard = heard;
  w.lastSnapshotAt = heard;
  w.lastSnapshot = R"({"worker":"x","instances":[]})";
  return w;
}

MonitorView healthyView() {
  MonitorView view;
  view.generation = 7;
  view.configPath = "/etc/vigil.conf";
  view.now = TimePoint{seconds(100)};
  view.snapshotInterval = seconds(1);
  view.workers = {worker("vrrp", TimePoint{seconds(1)}, TimePoint{seconds(99)}),
                  worker("check", TimePoint{seconds(1)}, TimePoint{seconds(100)})};
  return view;
}

TEST(RoutesTest, MetricsUsesThePrometheusContentType) {
  HttpResponse r = route(get("/metrics"), healthyView());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.wholeBody().find("vigil_config_generation 7\n"), std::string::npos);
}

TEST(RoutesTest, StatusIsOneJsonDocument) {
  HttpResponse r = route(get("/status"), healthyView());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/json");
  auto j = nlohmann::json::parse(r.wholeBody());
  EXPECT_EQ(j["generation"], 7);
  EXPECT_EQ(j["config"], "/etc/vigil.conf");
  EXPECT_EQ(j["healthy"], true);
  ASSERT_EQ(j["workers"].size(), 2u);
  EXPECT_EQ(j["workers"][0]["name"], "vrrp");
  EXPECT_EQ(j["workers"][0]["snapshot"]["worker"], "x");
  EXPECT_DOUBLE_EQ(j["workers"][0]["last_heard_seconds_ago"].get<double>(), 1.0);
}

TEST(RoutesTest, HealthzIsOkWhileEveryWorkerReports) {
  HttpResponse r = route(get("/healthz"), healthyView());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST(RoutesTest, HealthzNamesEachUnhealthyWorker) {
  MonitorView view = healthyView();
  view.workers[0].lastSnapshotAt = TimePoint{seconds(96) + milliseconds(900)};  // 3.1 intervals
  view.workers[0].lastHeard = view.now;  // other messages are no snapshot
  view.workers[1].running = false;
  HttpResponse r = route(get("/healthz"), view);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "vrrp worker: loop late: no snapshot for 3.1 s (due every 1.0 s)\n"
            "check worker: not running\n");
}

TEST(RoutesTest, HealthzToleratesALoopUpToOneSecondLate) {
  MonitorView view = healthyView();
  view.workers[0].lastSnapshotAt = TimePoint{seconds(98)};  // due at 99, 1 s ago
  EXPECT_EQ(route(get("/healthz"), view).status, 200);
}

TEST(RoutesTest, HealthzWantsASnapshotFromTheCurrentProcess) {
  MonitorView view = healthyView();
  // Restarted since; its Hello arrived, its first snapshot not yet.
  view.workers[0].startedAt = TimePoint{seconds(99) + milliseconds(500)};
  view.workers[0].lastHeard = TimePoint{seconds(99) + milliseconds(600)};
  HttpResponse r = route(get("/healthz"), view);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "vrrp worker: no snapshot since it started\n");
  view = healthyView();
  view.workers[1].lastSnapshot.clear();
  EXPECT_EQ(route(get("/healthz"), view).status, 503);
}

TEST(RoutesTest, UnknownPathsAre404AndOtherMethods405) {
  EXPECT_EQ(route(get("/"), healthyView()).status, 404);
  EXPECT_EQ(route(get("/metricsx"), healthyView()).status, 404);
  HttpResponse post = route(get("/metrics", "POST"), healthyView());
  EXPECT_EQ(post.status, 405);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0].first, "Allow");
  EXPECT_EQ(route(get("/healthz?verbose", "HEAD"), healthyView()).status, 200);
}

}  // namespace
}  // namespace vigil::monitor
