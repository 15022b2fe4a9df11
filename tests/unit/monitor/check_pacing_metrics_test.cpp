// The check worker's pacing counters, metrics_check_duration and the
// smtp_alert mail counters as /metrics renders them (doc/monitoring.md).
#include <gtest/gtest.h>

#include <string>

#include "monitor/metric_set.h"
#include "monitor/metrics_cache.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_renderer.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

using config::CheckDurationMetrics;

// One real server: a TCP_CHECK with `late` late timeouts and a duration
// histogram of `count` samples on the worker's bounds.
std::string server(int host, int late, int count) {
  const std::string n = std::to_string(count);
  return R"({"address": "10.1.0.)" + std::to_string(host) +
         R"(", "port": 80, "up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK",
         "attempts": )" +
         n + R"(, "late_timeouts": )" + std::to_string(late) + R"(, "outcomes": {"up": )" + n +
         R"(}, "duration": {"bounds": [0.001, 0.0025, 0.005, 2.5], "cumulative": [1, 1, )" + n +
         ", " + n + R"(], "count": )" + n + R"(, "sum_seconds": 0.5}}]})";
}

// Two virtual servers: A with servers 1 and 2, B with server 3. The
// worker's running late-timeout total is `workerLate`, whatever its
// checkers say.
std::string checkSnapshot(int late1 = 2, int count1 = 3, int workerLate = 3) {
  return R"({"worker": "check", "virtual_servers": [
      {"name": "A", "quorum_up": true, "real_servers": [)" +
         server(1, late1, count1) + "," + server(2, 1, 4) + R"(]},
      {"name": "B", "quorum_up": true, "real_servers": [)" +
         server(3, 0, 5) + R"(]}],
    "pacing": {"starts_per_tick_limit": 2000, "deferred_starts": 17, "late_timeouts": )" +
         std::to_string(workerLate) + "}}";
}

MonitorView view(const std::string& check, CheckDurationMetrics mode) {
  MonitorView v = test::checkWorkerView(check);
  v.checkDuration = mode;
  return v;
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::string render(const MonitorView& v) { return renderPrometheus(collectMetrics(v)); }

TEST(CheckPacingMetricsTest, PacingAndLateTimeoutsAreWorkerTotals) {
  const std::string text = render(view(checkSnapshot(), CheckDurationMetrics::PerServer));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_check_starts_per_tick_limit gauge")) << text;
  EXPECT_TRUE(hasLine(text, "vigil_check_starts_per_tick_limit 2000"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_check_deferred_starts_total counter"));
  EXPECT_TRUE(hasLine(text, "vigil_check_deferred_starts_total 17"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_check_late_timeouts_total counter"));
  EXPECT_TRUE(hasLine(text, "vigil_check_late_timeouts_total 3"));
}

// The counter is the worker's running total: a reload that dropped the
// checkers with late timeouts (their per-checker counts now sum to 0) does
// not lower it.
TEST(CheckPacingMetricsTest, LateTimeoutsIsTheWorkersTotalNotASumOverCheckers) {
  const std::string text = render(view(checkSnapshot(0, 3, 7), CheckDurationMetrics::PerServer));
  EXPECT_TRUE(hasLine(text, "vigil_check_late_timeouts_total 7")) << text;
}

TEST(CheckPacingMetricsTest, NoPacingSeriesWithoutThePacingObject) {
  const std::string text = render(
      view(R"({"worker": "check", "virtual_servers": []})", CheckDurationMetrics::PerServer));
  EXPECT_EQ(text.find("vigil_check_starts_per_tick_limit"), std::string::npos);
  EXPECT_EQ(text.find("vigil_check_deferred_starts_total"), std::string::npos);
  EXPECT_EQ(text.find("vigil_check_late_timeouts_total"), std::string::npos);
}

TEST(CheckDurationModeTest, PerServerIsTodaysSeries) {
  const std::string text = render(view(checkSnapshot(), CheckDurationMetrics::PerServer));
  EXPECT_TRUE(hasLine(text,
                      "vigil_check_duration_seconds_count{virtual_server=\"A\","
                      "real_server=\"10.1.0.1:80\",checker=\"TCP_CHECK\"} 3"))
      << text;
  EXPECT_EQ(text.find("vigil_virtual_server_check_duration_seconds"), std::string::npos);
}

TEST(CheckDurationModeTest, PerServiceSumsTheServersOfEachVirtualServer) {
  const std::string text = render(view(checkSnapshot(), CheckDurationMetrics::PerService));
  EXPECT_EQ(text.find("vigil_check_duration_seconds"), std::string::npos) << text;
  const std::string a = "virtual_server=\"A\",checker=\"TCP_CHECK\"";
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_virtual_server_check_duration_seconds histogram"));
  // Only kCheckDurationBounds' bounds are kept: 0.001, 0.005, 2.5.
  EXPECT_TRUE(hasLine(
      text, "vigil_virtual_server_check_duration_seconds_bucket{" + a + ",le=\"0.001\"} 2"));
  EXPECT_TRUE(hasLine(
      text, "vigil_virtual_server_check_duration_seconds_bucket{" + a + ",le=\"0.005\"} 7"));
  EXPECT_EQ(text.find(a + ",le=\"0.0025\""), std::string::npos);
  EXPECT_TRUE(hasLine(text, "vigil_virtual_server_check_duration_seconds_count{" + a + "} 7"));
  EXPECT_TRUE(hasLine(text, "vigil_virtual_server_check_duration_seconds_sum{" + a + "} 1"));
  EXPECT_TRUE(hasLine(text,
                      "vigil_virtual_server_check_duration_seconds_count{virtual_server=\"B\","
                      "checker=\"TCP_CHECK\"} 5"));
  // The other per-server series stay.
  EXPECT_TRUE(hasLine(text,
                      "vigil_real_server_check_attempts_total{virtual_server=\"A\","
                      "real_server=\"10.1.0.1:80\",checker=\"TCP_CHECK\"} 3"));
}

TEST(CheckDurationModeTest, OffRendersNoDurationSeries) {
  const std::string text = render(view(checkSnapshot(), CheckDurationMetrics::Off));
  EXPECT_EQ(text.find("check_duration_seconds"), std::string::npos) << text;
  EXPECT_TRUE(hasLine(text, "vigil_check_late_timeouts_total 3"));
}

TEST(CheckDurationModeTest, TheRendererMatchesAFullRenderInEveryMode) {
  for (CheckDurationMetrics mode : {CheckDurationMetrics::PerServer,
                                    CheckDurationMetrics::PerService, CheckDurationMetrics::Off}) {
    SnapshotRenderer renderer;
    (void)renderer.render(view(checkSnapshot(), mode));
    // Server 1 changed: one server rendered again, the sums still right.
    const MonitorView changed = view(checkSnapshot(5, 9), mode);
    EXPECT_EQ(*renderer.render(changed), renderPrometheus(collectSnapshotMetrics(changed)))
        << static_cast<int>(mode);
    EXPECT_EQ(renderer.realServerRenders(), 4u);
  }
}

TEST(CheckDurationModeTest, AModeChangeRendersTheCachedPartAgain) {
  MetricsCache cache;
  const std::string check = checkSnapshot();
  (void)cache.text(view(check, CheckDurationMetrics::PerServer));
  const MonitorView perService = view(check, CheckDurationMetrics::PerService);
  const std::string text = cache.text(perService);
  EXPECT_EQ(text, render(perService));
  EXPECT_EQ(cache.renders(), 2u);
  EXPECT_EQ(text.find("vigil_check_duration_seconds"), std::string::npos);
}

TEST(SmtpMailMetricsTest, NoSeriesWhileMailsAreOff) {
  EXPECT_EQ(render(view(checkSnapshot(), CheckDurationMetrics::PerServer)).find("vigil_smtp_"),
            std::string::npos);
}

TEST(SmtpMailMetricsTest, SentFailedByReasonAndDroppedPerScrape) {
  MonitorView v = view(checkSnapshot(), CheckDurationMetrics::PerServer);
  v.smtp = SmtpMailStats{4, {1, 2, 3}, 5};
  MetricsCache cache;
  std::string text = cache.text(v);
  EXPECT_EQ(text, render(v));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_smtp_alerts_sent_total counter")) << text;
  EXPECT_TRUE(hasLine(text, "vigil_smtp_alerts_sent_total 4"));
  EXPECT_TRUE(hasLine(text, "vigil_smtp_alerts_failed_total{reason=\"connection\"} 1"));
  EXPECT_TRUE(hasLine(text, "vigil_smtp_alerts_failed_total{reason=\"timeout\"} 2"));
  EXPECT_TRUE(hasLine(text, "vigil_smtp_alerts_failed_total{reason=\"rejected\"} 3"));
  EXPECT_TRUE(hasLine(text, "vigil_smtp_alerts_dropped_total 5"));
  // Read per scrape, never from the kept snapshot part.
  v.smtp->sent = 6;
  EXPECT_TRUE(hasLine(cache.text(v), "vigil_smtp_alerts_sent_total 6"));
}

}  // namespace
}  // namespace vigil::monitor
