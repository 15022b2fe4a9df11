#include "monitor/metrics_cache.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "monitor/gzip_parts.h"
#include "monitor/metric_set.h"
#include "monitor/metrics_json.h"
#include "monitor/routes.h"
#include "monitor/snapshot_metrics.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::reportingWorker;

constexpr const char* kVrrpSnapshot = R"({"worker": "vrrp", "instances": [
  {"name": "VI_1", "state": "MASTER", "priority": 100, "effective_priority": 100,
   "counters": {"adverts_sent": 40, "transitions": 1, "last_transition_ms_ago": 1500}}],
  "loop_lateness": {"bounds": [0.001, 0.01], "cumulative": [7, 9], "count": 10,
                    "sum_seconds": 0.5}})";

// A check worker's snapshot with `services` x 3 real servers, each with a
// duration histogram; `attempts` varies it.
std::string checkSnapshot(int services, int attempts) {
  std::string s = R"({"worker": "check", "virtual_servers": [)";
  for (int v = 0; v < services; ++v) {
    if (v > 0) s += ',';
    s += R"({"name": "[10.0.)" + std::to_string(v) + R"(.1]:tcp:80", "quorum_up": true,
             "sorry_server_active": false, "real_servers": [)";
    for (int r = 0; r < 3; ++r) {
      if (r > 0) s += ',';
      s += R"({"address": "10.1.)" + std::to_string(v) + "." + std::to_string(r) +
           R"(", "port": 80, "up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK",
             "attempts": )" +
           std::to_string(attempts) + R"(, "outcomes": {"up": 3, "timeout": 1},
             "duration": {"bounds": [0.001, 0.005, 0.1], "cumulative": [1, 3, 4], "count": 4,
                          "sum_seconds": 0.0125}}]})";
    }
    s += "]}";
  }
  return s + "]}";
}

MonitorView view(int attempts = 5) {
  MonitorView v;
  v.generation = 3;
  v.now = TimePoint{seconds(100)};
  v.wallNowSeconds = 1700000000;
  v.workers = {reportingWorker("vrrp", kVrrpSnapshot),
               reportingWorker("check", checkSnapshot(20, attempts))};
  return v;
}

std::string freshRender(const MonitorView& v) { return renderPrometheus(collectMetrics(v)); }

TEST(MetricsCacheTest, TextEqualsAFreshRender) {
  MetricsCache cache;
  const MonitorView v = view();
  const std::string text = cache.text(v);
  EXPECT_EQ(text, freshRender(v));
  EXPECT_NE(text.find("vigil_check_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(text.find("vigil_worker_snapshot_age_seconds{worker=\"check\"} 1\n"),
            std::string::npos);
}

TEST(MetricsCacheTest, KeepsTheSnapshotPartAndRendersWorkerSeriesAfresh) {
  MetricsCache cache;
  MonitorView v = view();
  (void)cache.text(v);
  v.now += milliseconds(500);  // a later scrape, same snapshots
  v.wallNowSeconds += 0.5;     // both clocks move on together
  const std::string later = cache.text(v);
  EXPECT_EQ(cache.renders(), 1u);
  EXPECT_EQ(later, freshRender(v));
  EXPECT_NE(later.find("vigil_worker_snapshot_age_seconds{worker=\"check\"} 1.5\n"),
            std::string::npos);
}

TEST(MetricsCacheTest, ANewSnapshotIsRenderedAgain) {
  MetricsCache cache;
  (void)cache.text(view(5));
  const MonitorView changed = view(6);
  const std::string text = cache.text(changed);
  EXPECT_EQ(cache.renders(), 2u);
  EXPECT_EQ(text, freshRender(changed));
}

// The kept part is matched to the snapshot text object, not to its bytes
// (no hash of megabytes per request): a new text, as each snapshot or patch
// applied makes, renders again even with the same bytes.
TEST(MetricsCacheTest, KeptForTheSnapshotTextObject) {
  MetricsCache cache;
  MonitorView v = view();
  (void)cache.text(v);
  (void)cache.text(v);
  EXPECT_EQ(cache.renders(), 1u);
  v.workers[1].lastSnapshot = std::string(v.workers[1].lastSnapshot.str());
  EXPECT_EQ(cache.text(v), freshRender(v));
  EXPECT_EQ(cache.renders(), 2u);
}

// A render is dropped once its snapshot is gone unless the next render
// would reuse most of it; after a drop, the next render still learns from
// the dropped keys whether keeping pays. Every body equals a fresh render.
TEST(MetricsCacheTest, DropsAStaleRenderOnlyWhenTheNextWouldNotReuseIt) {
  MetricsCache cache;
  const MonitorView v5 = view(5);
  (void)cache.text(v5);
  EXPECT_FALSE(cache.releaseIfStale(v5));  // still the current snapshot
  const MonitorView v6 = view(6);          // every server moved
  EXPECT_TRUE(cache.releaseIfStale(v6));
  EXPECT_FALSE(cache.releaseIfStale(v6));  // nothing left to drop
  EXPECT_EQ(cache.text(v6), freshRender(v6));
  MonitorView v6again = view(6);               // new texts, the same servers
  EXPECT_TRUE(cache.releaseIfStale(v6again));  // v6's render reused nothing
  EXPECT_EQ(cache.text(v6again), freshRender(v6again));
  // That render could have reused every server of the dropped one: kept.
  EXPECT_FALSE(cache.releaseIfStale(view(6)));
  EXPECT_EQ(cache.renders(), 3u);
}

// The JSON part is built whole per snapshot, so it is dropped once the
// snapshots moved on, for a client that asks for JSON only too.
TEST(MetricsCacheTest, DropsAStaleJsonRenderWhateverTheTextWouldReuse) {
  MetricsCache cache;
  const MonitorView v5 = view(5);
  const std::string first = cache.json(v5);
  EXPECT_FALSE(cache.releaseIfStale(v5));  // still the current snapshot
  const MonitorView v6 = view(6);
  EXPECT_TRUE(cache.releaseIfStale(v6));
  EXPECT_FALSE(cache.releaseIfStale(v6));  // nothing left to drop
  EXPECT_EQ(cache.json(v6), MetricsCache().json(v6));
  EXPECT_EQ(cache.jsonRenders(), 2u);
  // A text render that could reuse most servers is kept; the JSON part
  // beside it still goes.
  (void)cache.text(view(6));      // new texts, the same servers
  const MonitorView x = view(6);  // and again: this render reuses them all
  (void)cache.text(x);
  (void)cache.json(x);
  const size_t renders = cache.renders();
  EXPECT_TRUE(cache.releaseIfStale(view(6)));
  EXPECT_EQ(cache.text(x), freshRender(x));
  EXPECT_EQ(cache.renders(), renders);
  EXPECT_EQ(cache.json(x), MetricsCache().json(x));
  EXPECT_EQ(cache.jsonRenders(), 4u);
}

TEST(MetricsCacheTest, AWorkerThatDiedDropsItsSeries) {
  MetricsCache cache;
  MonitorView v = view();
  (void)cache.text(v);
  v.workers[1].running = false;
  EXPECT_EQ(cache.text(v), freshRender(v));
  EXPECT_EQ(cache.text(v).find("vigil_real_server_up"), std::string::npos);
}

TEST(MetricsCacheTest, GzipDecompressesToThePlainText) {
  MetricsCache cache;
  MonitorView v = view();
  const std::string compressed = cache.gzip(v);
  EXPECT_LT(compressed.size(), freshRender(v).size() / 4);
  EXPECT_EQ(gunzip(compressed), freshRender(v));
  v.now += milliseconds(250);  // kept compressed part, fresh head
  v.wallNowSeconds += 0.25;
  EXPECT_EQ(gunzip(cache.gzip(v)), freshRender(v));
  EXPECT_EQ(cache.renders(), 1u);
}

TEST(GzipPartsTest, JoinedPartsInflateToTheTextsInOrder) {
  const std::string a(10000, 'a');
  const std::string b = "hello\n" + std::string(70000, 'b') + a;
  EXPECT_EQ(gunzip(gzipJoin(GzipPart::deflate(a), GzipPart::deflate(b, 1))), a + b);
  EXPECT_EQ(gunzip(gzipJoin(GzipPart::deflate(""), GzipPart::deflate(""))), "");
  EXPECT_EQ(gunzip(gzipCompress("x")), "x");
  EXPECT_EQ(gunzip("not gzip"), "");
}

HttpRequest metricsRequest(std::optional<std::string> acceptEncoding) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/metrics";
  if (acceptEncoding) r.headers.emplace_back("accept-encoding", *acceptEncoding);
  return r;
}

const std::string* headerOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

TEST(MetricsHttpTest, GzipOnlyWhenAskedFor) {
  EndpointCache cache;
  const MonitorView v = view();
  const HttpResponse plain = route(metricsRequest(std::nullopt), v, cache);
  EXPECT_EQ(headerOf(plain, "Content-Encoding"), nullptr);
  EXPECT_EQ(plain.wholeBody(), freshRender(v));
  ASSERT_NE(headerOf(plain, "Vary"), nullptr);
  EXPECT_EQ(*headerOf(plain, "Vary"), "Accept-Encoding");

  // What Prometheus sends.
  const HttpResponse gz = route(metricsRequest("gzip, deflate;q=0.5, identity;q=0.1"), v, cache);
  ASSERT_NE(headerOf(gz, "Content-Encoding"), nullptr);
  EXPECT_EQ(*headerOf(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(gz.wholeBody()), plain.wholeBody());

  const HttpResponse refused = route(metricsRequest("gzip;q=0, identity"), v, cache);
  EXPECT_EQ(headerOf(refused, "Content-Encoding"), nullptr);
  EXPECT_EQ(refused.wholeBody(), plain.wholeBody());
  EXPECT_EQ(cache.metrics.renders(), 1u);
}

HttpRequest jsonRequest() {
  HttpRequest r;
  r.method = "GET";
  r.target = "/metrics.json";
  return r;
}

// A request must not cost a render on the supervisor's loop: two requests
// for the same snapshots render the snapshot part once, and each body is
// the document a fresh render gives (worker series fresh: the age moves).
TEST(MetricsHttpTest, JsonIsRenderedOncePerSnapshot) {
  EndpointCache cache;
  MonitorView v = view();
  const HttpResponse first = route(jsonRequest(), v, cache);
  EXPECT_EQ(first.contentType, "application/json");
  EXPECT_EQ(nlohmann::json::parse(first.body), nlohmann::json::parse(renderMetricsJson(v)));
  v.now += milliseconds(500);
  v.wallNowSeconds += 0.5;
  const HttpResponse second = route(jsonRequest(), v, cache);
  EXPECT_EQ(cache.metrics.jsonRenders(), 1u);
  const nlohmann::json doc = nlohmann::json::parse(second.body);
  EXPECT_EQ(doc, nlohmann::json::parse(renderMetricsJson(v)));
  EXPECT_EQ(doc["vigil_worker_snapshot_age_seconds"]["samples"][0]["value"], 1.5);
  EXPECT_EQ(second.body.back(), '\n');
}

TEST(MetricsHttpTest, ANewSnapshotChangesTheJson) {
  EndpointCache cache;
  const HttpResponse before = route(jsonRequest(), view(5), cache);
  const MonitorView changed = view(6);
  const HttpResponse after = route(jsonRequest(), changed, cache);
  EXPECT_EQ(cache.metrics.jsonRenders(), 2u);
  EXPECT_NE(after.body, before.body);
  EXPECT_EQ(nlohmann::json::parse(after.body), nlohmann::json::parse(renderMetricsJson(changed)));
  (void)cache.metrics.text(changed);  // the text is kept apart: rendering it does not drop the JSON
  (void)route(jsonRequest(), changed, cache);
  EXPECT_EQ(cache.metrics.jsonRenders(), 2u);
}

TEST(MetricsHttpTest, AcceptEncodingParsing) {
  EXPECT_TRUE(acceptsGzip("gzip"));
  EXPECT_TRUE(acceptsGzip("GZIP"));
  EXPECT_TRUE(acceptsGzip("br, gzip;q=0.8"));
  EXPECT_TRUE(acceptsGzip("*"));
  EXPECT_TRUE(acceptsGzip(" gzip ; q=1"));
  EXPECT_FALSE(acceptsGzip(""));
  EXPECT_FALSE(acceptsGzip("identity"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(acceptsGzip("x-gzip2"));
}

}  // namespace
}  // namespace vigil::monitor
