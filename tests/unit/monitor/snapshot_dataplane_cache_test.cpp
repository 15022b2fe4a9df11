// The check snapshot's "dataplane" object is cut out of the skeleton and
// its series kept by its text (snapshot_split.h, snapshot_renderer.h).
#include <gtest/gtest.h>

#include <string>

#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_renderer.h"
#include "monitor/snapshot_split.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

std::string dataplane(int connections) {
  return R"({"backend": "kernel", "table": "TCP 10.0.0.1:80 rr", "stats": {"services": [
      {"protocol": "TCP", "address": "10.0.0.1", "port": 80, "connections": )" +
         std::to_string(connections) + R"(, "destinations": [
        {"address": "10.1.0.1", "port": 80, "weight": 1, "active_connections": 2}]}]}})";
}

std::string checkSnapshot(int attempts, int connections) {
  return R"({"worker": "check", "virtual_servers": [{"name": "[10.0.0.1]:tcp:80",
      "quorum_up": true, "real_servers": [{"address": "10.1.0.1", "port": 80, "up": true,
      "weight": 1, "checkers": [{"type": "TCP_CHECK", "attempts": )" +
         std::to_string(attempts) + R"(, "outcomes": {"up": 1}}]}]}],
      "dataplane": )" +
         dataplane(connections) + "}";
}

using test::checkWorkerView;

std::string fullRender(const MonitorView& v) { return renderPrometheus(collectSnapshotMetrics(v)); }

TEST(SplitDataplaneTest, TheTopLevelDataplaneObjectIsCutOut) {
  const std::string text = checkSnapshot(3, 5);
  auto split = splitRealServers(text);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->dataplane, dataplane(5));
  EXPECT_NE(split->skeleton.find(R"("dataplane": {"#":0})"), std::string::npos) << split->skeleton;
  EXPECT_EQ(split->skeleton.find("connections"), std::string::npos);
  EXPECT_EQ(split->servers.size(), 1u);
}

TEST(SplitDataplaneTest, ANestedKeyOrAStringIsNotTheDataplane) {
  const std::string text =
      R"({"virtual_servers": [{"name": "dataplane", "dataplane": {"x": 1}}], "note": "dataplane"})";
  auto split = splitRealServers(text);
  ASSERT_TRUE(split);
  EXPECT_TRUE(split->dataplane.empty());
  EXPECT_EQ(split->skeleton, text);
}

TEST(SplitDataplaneTest, AnUnendedDataplaneIsRefused) {
  EXPECT_FALSE(splitRealServers(R"({"dataplane": {"stats": {"services": [)"));
}

TEST(SnapshotDataplaneCacheTest, AnUnchangedDataplaneIsNotParsedAgain) {
  SnapshotRenderer renderer;
  const MonitorView first = checkWorkerView(checkSnapshot(3, 5));
  EXPECT_EQ(*renderer.render(first), fullRender(first));
  EXPECT_EQ(renderer.dataplaneRenders(), 1u);
  // A server moved, the table did not.
  const MonitorView second = checkWorkerView(checkSnapshot(4, 5));
  const std::string text = *renderer.render(second);
  EXPECT_EQ(text, fullRender(second));
  EXPECT_NE(text.find("\nnode_ipvs_connections_total 5\n"), std::string::npos) << text;
  EXPECT_EQ(renderer.dataplaneRenders(), 1u);
  // The counters moved.
  const MonitorView third = checkWorkerView(checkSnapshot(4, 6));
  EXPECT_EQ(*renderer.render(third), fullRender(third));
  EXPECT_NE(renderer.render(third)->find("\nnode_ipvs_connections_total 6\n"), std::string::npos);
  EXPECT_EQ(renderer.dataplaneRenders(), 2u);
}

TEST(SnapshotDataplaneCacheTest, TwoWorkersWithATableSumAsAFullRenderDoes) {
  SnapshotRenderer renderer;
  MonitorView v = checkWorkerView(checkSnapshot(3, 5));
  v.workers.push_back(v.workers[0]);
  v.workers[1].name = "check2";
  v.workers[1].lastSnapshot = checkSnapshot(3, 7);
  const std::string text = *renderer.render(v);
  EXPECT_EQ(text, fullRender(v));
  EXPECT_NE(text.find("\nnode_ipvs_connections_total 7\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigil::monitor
