#include "monitor/metric_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::monitor {
namespace {

TEST(MetricSetTest, RendersHelpTypeAndSeriesInTableOrder) {
  MetricSet m;
  m.set(MetricId::WorkerUp, {"vrrp"}, 1);
  m.set(MetricId::ConfigGeneration, {}, 3);
  m.add(MetricId::WorkerRestarts, {"check"}, 1);
  m.add(MetricId::WorkerRestarts, {"check"}, 2);
  EXPECT_EQ(renderPrometheus(m),
            "# HELP vigil_config_generation Configuration generation the supervisor runs (1 at "
            "start, +1 per accepted reload).\n"
            "# TYPE vigil_config_generation gauge\n"
            "vigil_config_generation 3\n"
            "# HELP vigil_worker_up 1 while the worker process is running.\n"
            "# TYPE vigil_worker_up gauge\n"
            "vigil_worker_up{worker=\"vrrp\"} 1\n"
            "# HELP vigil_worker_restarts_total Times the supervisor respawned the worker.\n"
            "# TYPE vigil_worker_restarts_total counter\n"
            "vigil_worker_restarts_total{worker=\"check\"} 3\n");
}

TEST(MetricSetTest, RendersAHistogramAsCumulativeBucketsSumAndCount) {
  MetricSet m;
  m.setHistogram(MetricId::VrrpLoopLateness, {}, {{0.001, 0.5}, {4, 5}, 6, 1.75});
  EXPECT_EQ(renderPrometheus(m),
            "# HELP vigil_vrrp_loop_lateness_seconds How late the VRRP worker's loop ran a probe "
            "timer past its deadline (every 250 ms).\n"
            "# TYPE vigil_vrrp_loop_lateness_seconds histogram\n"
            "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.001\"} 4\n"
            "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.5\"} 5\n"
            "vigil_vrrp_loop_lateness_seconds_bucket{le=\"+Inf\"} 6\n"
            "vigil_vrrp_loop_lateness_seconds_sum 1.75\n"
            "vigil_vrrp_loop_lateness_seconds_count 6\n");
}

TEST(MetricSetTest, MetricsWithoutSamplesAreLeftOut) {
  EXPECT_EQ(renderPrometheus(MetricSet{}), "");
}

TEST(MetricSetTest, EscapesLabelValues) {
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  MetricSet m;
  m.set(MetricId::VrrpInstancePriority, {"VI \"1\"\\\n"}, 100);
  EXPECT_NE(renderPrometheus(m).find("vigil_vrrp_instance_priority{vrrp_instance=\"VI "
                                     "\\\"1\\\"\\\\\\n\"} 100\n"),
            std::string::npos)
      << renderPrometheus(m);
}

TEST(MetricSetTest, EscapesHelpButNotQuotes) {
  EXPECT_EQ(escapeHelp("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

TEST(MetricSetTest, FormatsValues) {
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(-7), "-7");
  EXPECT_EQ(formatValue(1.5), "1.5");
  EXPECT_EQ(formatValue(1700000000.25), "1700000000.25");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(MetricSetTest, EveryMetricNameAndLabelIsValid) {
  auto valid = [](std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
  };
  for (const MetricDef& def : metricTable()) {
    EXPECT_TRUE(valid(def.name)) << def.name;
    // node_ipvs_*: node_exporter's names, kept so its dashboards work.
    EXPECT_TRUE(def.name.starts_with("vigil_") || def.name.starts_with("node_ipvs_")) << def.name;
    EXPECT_EQ(def.type == MetricType::Counter, def.name.ends_with("_total")) << def.name;
    for (size_t i = 0; i < def.labelCount(); ++i) EXPECT_TRUE(valid(def.labels[i])) << def.name;
  }
}

}  // namespace
}  // namespace vigil::monitor
