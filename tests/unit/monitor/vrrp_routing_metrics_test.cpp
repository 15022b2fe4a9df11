// The VRRP worker's routing install failures as /metrics renders them
// (doc/monitoring.md): per instance and for the static entries, a counter
// of failed adds and a gauge of the entries failing now.
#include <gtest/gtest.h>

#include <string>

#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

constexpr const char* kSnapshot = R"({"worker": "vrrp", "instances": [
  {"name": "VI_1", "state": "MASTER", "routing": {
    "install_failures": {"virtual_routes": 3, "virtual_rules": 0},
    "failing": [{"kind": "virtual_routes", "entry": "10.9.0.0/16 via 10.99.0.1",
                 "error": "adding route: Network is unreachable"}],
    "restored": {"virtual_routes": 2, "virtual_rules": 0}}},
  {"name": "VI_2", "state": "BACKUP"}],
  "static_routing": {"install_failures": {"static_routes": 0, "static_rules": 1}, "failing": []}})";

std::string render(const std::string& snapshot) {
  MonitorView v;
  v.now = TimePoint{std::chrono::seconds(100)};
  v.wallNowSeconds = 1700000100;
  v.workers = {test::reportingWorker("vrrp", snapshot)};
  return renderPrometheus(collectMetrics(v));
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(VrrpRoutingMetricsTest, FailedAddsAndFailingEntriesPerInstanceAndBlock) {
  const std::string text = render(kSnapshot);
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_routing_install_failures_total counter")) << text;
  EXPECT_TRUE(hasLine(
      text,
      R"(vigil_vrrp_routing_install_failures_total{vrrp_instance="VI_1",kind="virtual_routes"} 3)"));
  EXPECT_TRUE(hasLine(
      text,
      R"(vigil_vrrp_routing_install_failures_total{vrrp_instance="VI_1",kind="virtual_rules"} 0)"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_routing_entries_failing gauge"));
  EXPECT_TRUE(hasLine(
      text, R"(vigil_vrrp_routing_entries_failing{vrrp_instance="VI_1",kind="virtual_routes"} 1)"));
  EXPECT_TRUE(hasLine(
      text, R"(vigil_vrrp_routing_entries_failing{vrrp_instance="VI_1",kind="virtual_rules"} 0)"));
  // The worker's static_routes / static_rules: no instance.
  EXPECT_TRUE(hasLine(
      text,
      R"(vigil_vrrp_routing_install_failures_total{vrrp_instance="",kind="static_rules"} 1)"));
  EXPECT_TRUE(hasLine(
      text, R"(vigil_vrrp_routing_entries_failing{vrrp_instance="",kind="static_rules"} 0)"));
  // A MASTER's virtual routes and rules added back after a deletion.
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_virtual_entries_restored_total counter"));
  EXPECT_TRUE(hasLine(
      text,
      R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_routes"} 2)"));
  EXPECT_TRUE(hasLine(
      text,
      R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_rules"} 0)"));
  // The static entries' restores are counted apart (static_deletions).
  EXPECT_EQ(text.find(R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="")"),
            std::string::npos);
  // An instance without virtual_routes or virtual_rules has no series.
  EXPECT_EQ(text.find(R"(vrrp_instance="VI_2",kind=)"), std::string::npos);
}

TEST(VrrpRoutingMetricsTest, NoRoutingSeriesWithoutRoutingEntries) {
  const std::string text = render(R"({"worker": "vrrp", "instances": [{"name": "VI_1"}]})");
  EXPECT_EQ(text.find("vigil_vrrp_routing_"), std::string::npos) << text;
}

// The static entries restored and the deletions that may have gone unseen
// (doc/monitoring.md, Routing failures).
TEST(VrrpRoutingMetricsTest, RestoredStaticEntriesLostNotificationsAndFailedJoins) {
  const std::string text = render(R"({"worker": "vrrp", "instances": [],
    "static_deletions": {"restored": {"static_ipaddress": 1, "static_routes": 4,
                                      "static_rules": 0},
                         "notifications_lost": 3, "watch_failures": 2, "resyncs": 2,
                         "resync_failures": 1}})");
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_static_entries_restored_total counter")) << text;
  EXPECT_TRUE(
      hasLine(text, R"(vigil_vrrp_static_entries_restored_total{kind="static_ipaddress"} 1)"));
  EXPECT_TRUE(hasLine(text, R"(vigil_vrrp_static_entries_restored_total{kind="static_routes"} 4)"));
  EXPECT_TRUE(hasLine(text, R"(vigil_vrrp_static_entries_restored_total{kind="static_rules"} 0)"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_deletion_notifications_lost_total counter"));
  EXPECT_TRUE(hasLine(text, "vigil_vrrp_deletion_notifications_lost_total 3"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_netlink_group_join_failures_total counter"));
  EXPECT_TRUE(hasLine(text, "vigil_vrrp_netlink_group_join_failures_total 2"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_vrrp_static_resyncs_total counter"));
  EXPECT_TRUE(hasLine(text, "vigil_vrrp_static_resyncs_total 2"));
  EXPECT_TRUE(hasLine(text, "vigil_vrrp_static_resync_failures_total 1"));
}

TEST(VrrpRoutingMetricsTest, NoDeletionSeriesFromAWorkerThatSendsNone) {
  const std::string text = render(R"({"worker": "vrrp", "instances": []})");
  EXPECT_EQ(text.find("vigil_vrrp_static_entries_restored_total"), std::string::npos) << text;
  EXPECT_EQ(text.find("vigil_vrrp_deletion_notifications_lost_total"), std::string::npos);
  EXPECT_EQ(text.find("vigil_vrrp_netlink_group_join_failures_total"), std::string::npos);
  EXPECT_EQ(text.find("vigil_vrrp_static_resync"), std::string::npos);
}

}  // namespace
}  // namespace vigil::monitor
