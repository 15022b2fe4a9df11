#include "monitor/real_server_text.h"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "monitor/metric_set.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {
namespace {

using config::CheckDurationMetrics;

constexpr std::array<MetricId, 5> kSeries = {
    MetricId::RealServerUp, MetricId::RealServerWeight, MetricId::RealServerCheckAttempts,
    MetricId::RealServerCheckFailures, MetricId::CheckDuration};

// What the JSON way (collectRealServer on a parsed tree, then appendSeries)
// writes for the object, in RealServerText's shape.
RealServerText treeRender(const std::string& vs, const std::string& object,
                          CheckDurationMetrics mode) {
  const nlohmann::json rs = nlohmann::json::parse(object);
  MetricSet m;
  collectRealServer(m, vs, rs, mode);
  RealServerText out;
  out.name = realServerName(rs);
  out.up = summarizeRealServer(rs, mode).up;
  for (size_t i = 0; i < kSeries.size(); ++i) appendSeries(out.series[i], m, kSeries[i]);
  return out;
}

void expectSameAsTree(const std::string& vs, const std::string& object,
                      CheckDurationMetrics mode = CheckDurationMetrics::PerServer) {
  SCOPED_TRACE(object);
  RealServerText plain;
  plain.series[4] = "left from the server before\n";  // overwritten, not appended to
  ASSERT_TRUE(renderRealServerText(vs, object, mode, plain));
  const RealServerText tree = treeRender(vs, object, mode);
  EXPECT_EQ(plain.name, tree.name);
  EXPECT_EQ(plain.up, tree.up);
  for (size_t i = 0; i < kSeries.size(); ++i) EXPECT_EQ(plain.series[i], tree.series[i]) << i;
}

// Shaped like CheckWorker::renderRealServer's, with keys the series do not
// read (id, running, last, ...).
constexpr const char* kWorkerObject =
    R"({"address": "10.1.0.7", "port": 8080, "up": true, "weight": 3, "configured_weight": 3,
        "checkers": [{"type": "TCP_CHECK", "id": "tcp:10.1.0.7:8080", "running": true,
        "up": true, "attempts": 120, "up_transitions": 1, "down_transitions": 0,
        "late_timeouts": 2, "outcomes": {"up": 117, "timeout": 2, "refused": 1},
        "last": "connected", "duration": {"bounds": [0.001, 0.0025, 0.005, 0.025, 0.1, 2.5, 10],
        "cumulative": [3, 40, 90, 110, 118, 119, 120], "count": 120, "sum_seconds": 0.84}}]})";

TEST(RealServerTextTest, WritesWhatTheTreeWritesForAWorkersObject) {
  expectSameAsTree("[10.0.0.1]:tcp:80", kWorkerObject);
  expectSameAsTree("[10.0.0.1]:tcp:80", kWorkerObject, CheckDurationMetrics::Off);
}

TEST(RealServerTextTest, WritesWhatTheTreeWritesForOddButPlainObjects) {
  const std::string vs = R"(a "quoted" \ name)";  // labels escaped as the tree's are
  for (const char* object : {
           R"({"address": "2001:db8::1", "port": 443, "up": false, "weight": 0.5, "checkers": []})",
           R"({"address": "10.0.0.1", "port": true, "checkers": "none"})",
           R"({"address": 7, "port": 80.9, "up": 1, "weight": null})",
           R"({"port": -0, "up": 0, "weight": 12345678901234567890})",
           R"({"checkers": [1, "x", null, {"type": "MISC_CHECK", "attempts": 1.5E-3,
               "outcomes": {"up": 1, "timeout": true, "exit": "3", "a": 0, "z": 2e2}},
               {"type": "HTTP_GET", "attempts": false, "outcomes": [],
                "duration": {"bounds": [0.1, 0.5], "cumulative": [1, 2], "count": true,
                             "sum_seconds": false}},
               {"type": "DNS_CHECK", "duration": {"bounds": [0.1], "cumulative": [1, 2],
                                                  "count": 2, "sum_seconds": 1}},
               {"type": "SMTP_CHECK", "duration": {"bounds": [true], "cumulative": [1],
                                                   "count": 1, "sum_seconds": 1}},
               {"type": "SSL_GET", "duration": {"bounds": [0.001, 0.25], "cumulative": [0, 0],
                                                "count": 0, "sum_seconds": 0}},
               {"attempts": 4, "outcomes": {"up": 4}}]})",
           R"({"up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK", "attempts": 1,
               "duration": "none"}], "extra": {"deep": [[[{"a": [1, 2, {"b": null}]}]]]}} )",
       }) {
    expectSameAsTree(vs, object);
  }
}

TEST(RealServerTextTest, LeavesToTheTreeWhatItDoesNotReadPlainly) {
  for (const char* object : {
           R"({"address": "10.0.0.1", "checkers": [{"type": "TCP_CHECK", "last": "a \"b\""}]})",
           "{\"address\": \"caf\xc3\xa9\", \"port\": 80}",
           R"({"up": true, "up": false})",
           R"({"checkers": [{"type": "TCP_CHECK", "attempts": 1}, {"type": "TCP_CHECK"}]})",
           R"({"checkers": [{"type": "TCP_CHECK", "outcomes": {"timeout": 1, "timeout": 2}}]})",
           R"({"checkers": [{"type": "TCP_CHECK", "duration": {"count": 1, "count": 2}}]})",
           R"({"address": "10.0.0.1",})",
           R"({"address": "10.0.0.1"} x)",
           R"({"weight": 1e400})",
           R"({"weight": 01})",
           R"({"weight": tru})",
           R"({"address": "10.0.0.1")",
       }) {
    RealServerText out;
    EXPECT_FALSE(renderRealServerText("vs", object, CheckDurationMetrics::PerServer, out))
        << object;
  }
  // Its summary carries histograms: the tree's.
  RealServerText out;
  EXPECT_FALSE(renderRealServerText("vs", kWorkerObject, CheckDurationMetrics::PerService, out));
}

}  // namespace
}  // namespace vigil::monitor
