#include "monitor/snapshot_renderer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/metric_set.h"
#include "monitor/metrics_cache.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_split.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

using std::chrono::seconds;
using test::reportingWorker;

constexpr const char* kVrrp = R"({"worker": "vrrp", "instances": [
  {"name": "VI_1", "state": "MASTER", "priority": 100, "effective_priority": 100,
   "counters": {"adverts_sent": 40, "transitions": 1, "last_transition_unix": 1700000000}}]})";

// A check worker's snapshot: `attempts.size()` real servers spread over
// three virtual servers, real server i with attempts[i] probes (its
// duration count follows). Shaped like CheckWorker::snapshot().
std::string checkSnapshot(const std::vector<int>& attempts, const std::string& extra = "") {
  std::string s = R"({"worker": "check", "virtual_servers": [)";
  constexpr int kServices = 3;
  for (int v = 0; v < kServices; ++v) {
    if (v > 0) s += ',';
    s += R"({"name": "[10.0.0.)" + std::to_string(v) +
         R"(]:tcp:80", "quorum_up": true, "sorry_server_active": false, "real_servers": [)";
    bool first = true;
    for (size_t i = v; i < attempts.size(); i += kServices) {
      if (!first) s += ',';
      first = false;
      const std::string n = std::to_string(attempts[i]);
      s += R"({"address": "10.1.0.)" + std::to_string(i) +
           R"(", "port": 80, "up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK",
             "attempts": )" +
           n + R"(, "outcomes": {"up": )" + n + R"(, "timeout": 1},
             "duration": {"bounds": [0.001, 0.0025, 0.005, 0.1, 2.5, 10],
                          "cumulative": [1, 1, 2, )" +
           n + ", " + n + ", " + n + R"(], "count": )" + n + R"(, "sum_seconds": 0.0125}}]})";
    }
    s += "]}";
  }
  return s + "]" + extra + "}";
}

MonitorView view(const std::string& check) {
  MonitorView v;
  v.now = TimePoint{seconds(100)};
  v.wallNowSeconds = 1700000100;
  v.workers = {reportingWorker("vrrp", kVrrp), reportingWorker("check", check)};
  return v;
}

std::string fullRender(const MonitorView& v) { return renderPrometheus(collectSnapshotMetrics(v)); }

TEST(SnapshotRendererTest, FirstRenderEqualsAFullRenderAndRendersEveryServer) {
  SnapshotRenderer renderer;
  const MonitorView v = view(checkSnapshot({5, 6, 7, 8, 9, 10, 11}));
  const std::string text = *renderer.render(v);
  EXPECT_EQ(text, fullRender(v));
  EXPECT_NE(text.find("vigil_real_server_check_attempts_total{"), std::string::npos);
  EXPECT_EQ(renderer.realServerRenders(), 7u);
}

TEST(SnapshotRendererTest, AChangeOfOneServerRendersOnlyThatServer) {
  SnapshotRenderer renderer;
  std::vector<int> attempts = {5, 6, 7, 8, 9, 10, 11};
  (void)renderer.render(view(checkSnapshot(attempts)));
  attempts[4] = 42;
  const MonitorView changed = view(checkSnapshot(attempts));
  const std::string text = *renderer.render(changed);
  EXPECT_EQ(text, fullRender(changed));
  EXPECT_NE(text.find("real_server=\"10.1.0.4:80\",checker=\"TCP_CHECK\"} 42\n"),
            std::string::npos);
  EXPECT_EQ(renderer.realServerRenders(), 8u);
}

TEST(SnapshotRendererTest, PlainServersAreReadFromTheirTextOthersThroughATree) {
  SnapshotRenderer renderer;
  std::string check = checkSnapshot({5, 6, 7});
  // One server's checker says why in a string with an escape: that one is
  // parsed; the others are rendered straight from their text.
  const std::string plain = R"("type": "TCP_CHECK",)";
  ASSERT_NE(check.find(plain), std::string::npos);
  check.replace(check.find(plain), plain.size(), R"("type": "TCP_CHECK", "last": "said \"no\"",)");
  const MonitorView v = view(check);
  EXPECT_EQ(*renderer.render(v), fullRender(v));
  EXPECT_EQ(renderer.realServerRenders(), 3u);
  EXPECT_EQ(renderer.treeRenders(), 1u);
}

TEST(SnapshotRendererTest, ANewVrrpSnapshotRendersNoRealServer) {
  SnapshotRenderer renderer;
  const std::string check = checkSnapshot({5, 6, 7});
  (void)renderer.render(view(check));
  MonitorView v = view(check);
  v.workers[0].lastSnapshot = R"({"worker": "vrrp", "instances": [{"name": "VI_1",
      "state": "BACKUP", "priority": 100, "effective_priority": 100}]})";
  EXPECT_EQ(*renderer.render(v), fullRender(v));
  EXPECT_EQ(renderer.realServerRenders(), 3u);
}

TEST(SnapshotRendererTest, ServersAddedAndRemovedMatchAFullRender) {
  SnapshotRenderer renderer;
  (void)renderer.render(view(checkSnapshot({5, 6, 7, 8})));
  const MonitorView fewer = view(checkSnapshot({5, 6}));
  EXPECT_EQ(*renderer.render(fewer), fullRender(fewer));
  EXPECT_EQ(renderer.realServerRenders(), 4u);
  // 10.1.0.2 and .3 come back: their kept text was dropped with them.
  const MonitorView more = view(checkSnapshot({5, 6, 7, 8, 9}));
  EXPECT_EQ(*renderer.render(more), fullRender(more));
  EXPECT_EQ(renderer.realServerRenders(), 7u);
}

TEST(SnapshotRendererTest, DataplaneCountersAreRenderedBesideKeptServers) {
  SnapshotRenderer renderer;
  const std::string dataplane = R"(, "dataplane": {"stats": {"services": [{"protocol": "TCP",
      "address": "10.0.0.0", "port": 80, "connections": 5, "destinations": [
      {"address": "10.1.0.0", "port": 80, "weight": 1, "active_connections": 2}]}]}})";
  (void)renderer.render(view(checkSnapshot({5, 6}, dataplane)));
  const MonitorView v = view(checkSnapshot({5, 6}, dataplane));
  const std::string text = *renderer.render(v);
  EXPECT_EQ(text, fullRender(v));
  EXPECT_NE(text.find("node_ipvs_backend_connections_active{"), std::string::npos);
  EXPECT_EQ(renderer.realServerRenders(), 2u);
}

TEST(SnapshotRendererTest, AServerListedTwiceIsMergedAsAFullRenderMergesIt) {
  SnapshotRenderer renderer;
  MonitorView v = view(checkSnapshot({5, 6}));
  v.workers.push_back(reportingWorker("check2", checkSnapshot({7})));  // 10.1.0.0 again
  EXPECT_EQ(*renderer.render(v), fullRender(v));
  EXPECT_NE(fullRender(v).find("real_server=\"10.1.0.0:80\",checker=\"TCP_CHECK\"} 12\n"),
            std::string::npos);
}

TEST(SnapshotRendererTest, MetricsCacheCountsOnlyChangedServers) {
  MetricsCache cache;
  std::vector<int> attempts(30, 3);
  (void)cache.text(view(checkSnapshot(attempts)));
  attempts[0] = 4;
  attempts[29] = 4;
  const MonitorView v = view(checkSnapshot(attempts));
  EXPECT_EQ(cache.text(v), renderPrometheus(collectMetrics(v)));
  EXPECT_EQ(cache.renders(), 2u);
  EXPECT_EQ(cache.realServerRenders(), 32u);
}

TEST(CheckDurationBucketsTest, OnlyTheDocumentedBoundsAreKept) {
  const std::string text = fullRender(view(checkSnapshot({5})));
  const std::string series =
      "vigil_check_duration_seconds_bucket{virtual_server=\"[10.0.0.0]:tcp:80\","
      "real_server=\"10.1.0.0:80\",checker=\"TCP_CHECK\",";
  EXPECT_NE(text.find(series + "le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find(series + "le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find(series + "le=\"0.1\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find(series + "le=\"2.5\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find(series + "le=\"+Inf\"} 5\n"), std::string::npos);
  // The worker's 2.5 ms and 10 s bounds are not among kCheckDurationBounds.
  EXPECT_EQ(text.find("le=\"0.0025\""), std::string::npos);
  EXPECT_EQ(text.find("le=\"10\""), std::string::npos);
}

TEST(CheckDurationBucketsTest, AServerWithoutSamplesHasOnlyTheInfBucket) {
  const std::string text = fullRender(view(checkSnapshot({0})));
  const std::string labels =
      "virtual_server=\"[10.0.0.0]:tcp:80\",real_server=\"10.1.0.0:80\",checker=\"TCP_CHECK\"";
  EXPECT_NE(text.find("vigil_check_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_check_duration_seconds_count{" + labels + "} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("le=\"0.001\""), std::string::npos);
}

TEST(HttpRejectedMetricsTest, TheEndpointsLimitCountersAreExportedByReason) {
  MonitorView v = view(checkSnapshot({}));
  EXPECT_EQ(renderPrometheus(collectMetrics(v)).find("vigil_http_"), std::string::npos);
  HttpServer::Stats stats;
  stats.accepted = 9;
  stats.badRequests = 2;
  stats.timedOut = 3;
  stats.evicted = 4;
  stats.refused = 5;
  v.http = stats;
  const std::string text = renderPrometheus(collectMetrics(v));
  EXPECT_NE(text.find("# TYPE vigil_http_requests_rejected_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("\nvigil_http_connections_accepted_total 9\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nvigil_http_requests_rejected_total{reason=\"bad_request\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nvigil_http_requests_rejected_total{reason=\"timeout\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nvigil_http_requests_rejected_total{reason=\"evicted\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nvigil_http_requests_rejected_total{reason=\"refused\"} 5\n"),
            std::string::npos);
  // Per scrape, not from a snapshot: the cache's kept part never holds them.
  MetricsCache cache;
  (void)cache.text(v);
  ++v.http->badRequests;
  EXPECT_NE(cache.text(v).find("{reason=\"bad_request\"} 3\n"), std::string::npos);
}

TEST(SplitRealServersTest, CutsOutEachServerObjectAndLeavesTheRest) {
  const std::string text =
      R"({"virtual_servers": [{"name": "a", "real_servers": [ {"x": {"y": [1]}}, {"last": "}\" ]"} ]}]})";
  const auto split = splitRealServers(text);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->skeleton,
            R"({"virtual_servers": [{"name": "a", "real_servers": [ {"#":0}, {"#":1} ]}]})");
  ASSERT_EQ(split->servers.size(), 2u);
  EXPECT_EQ(split->servers[0], R"({"x": {"y": [1]}})");
  EXPECT_EQ(split->servers[1], R"({"last": "}\" ]"})");
}

TEST(SplitRealServersTest, AKeyInsideAStringIsNotAKey) {
  const std::string text = R"({"last": "\"real_servers\": [{}]", "n": 1})";
  const auto split = splitRealServers(text);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->skeleton, text);
  EXPECT_TRUE(split->servers.empty());
}

TEST(SplitRealServersTest, UnendedTextIsRefused) {
  EXPECT_FALSE(splitRealServers(R"({"real_servers": [{"a": 1)"));
  EXPECT_FALSE(splitRealServers(R"({"name": "open)"));
}

// The renderer and systemd's status line find a server's text through the
// skeleton's placeholder; anything else in its place is a server left uncut.
TEST(SplitRealServersTest, APlaceholderNamesItsServersText) {
  const std::string text = R"({"real_servers": [{"up": true}, {"up": false}]})";
  const auto split = splitRealServers(text);
  ASSERT_TRUE(split);
  const auto skeleton = nlohmann::json::parse(split->skeleton);
  const nlohmann::json& list = skeleton["real_servers"];
  EXPECT_EQ(cutServerText(list[0], split->servers),
            std::optional<std::string_view>("{\"up\": true}"));
  EXPECT_EQ(cutServerText(list[1], split->servers),
            std::optional<std::string_view>("{\"up\": false}"));
  EXPECT_FALSE(cutServerText(nlohmann::json::parse(R"({"#": 2})"), split->servers));
  EXPECT_FALSE(cutServerText(nlohmann::json::parse(R"({"#": -1})"), split->servers));
  EXPECT_FALSE(cutServerText(nlohmann::json::parse(R"({"#": 0, "up": true})"), split->servers));
  EXPECT_FALSE(cutServerText(nlohmann::json::parse(R"({"up": true})"), split->servers));
  EXPECT_FALSE(cutServerText(nlohmann::json::parse("[0]"), split->servers));
}

TEST(SnapshotRendererTest, ATruncatedSnapshotShowsNothingLikeAFullRender) {
  SnapshotRenderer renderer;
  const std::string check = checkSnapshot({5, 6});
  const MonitorView v = view(check.substr(0, check.size() / 2));
  EXPECT_EQ(*renderer.render(v), fullRender(v));
}

}  // namespace
}  // namespace vigil::monitor
