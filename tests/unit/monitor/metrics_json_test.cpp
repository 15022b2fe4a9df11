#include "monitor/metrics_json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "monitor/metric_set.h"
#include "monitor/routes.h"
#include "monitor/snapshot_metrics.h"
#include "support/monitor_view_builder.h"

// /metrics.json is the same MetricSet as /metrics: for one fixed view,
// every sample of the Prometheus text (histogram buckets, sums and counts
// included) is in the JSON under the same name and labels with the same
// value, and the JSON has nothing more.
namespace vigil::monitor {
namespace {

using nlohmann::json;
using test::reportingWorker;

// Shaped like VrrpWorker::snapshot() and CheckWorker::snapshot(), with a
// label value that needs escaping in the text format.
constexpr const char* kVrrpSnapshot = R"({
  "worker": "vrrp", "pid": 11, "generation": 2,
  "instances": [
    {"name": "VI_\"1\"", "state": "MASTER", "vrid": 51, "priority": 100, "effective_priority": 110,
     "counters": {"adverts_sent": 40, "adverts_received": 2, "send_errors": 0, "transitions": 2,
                  "rejected": {"bad_ttl": 3}, "became_master": 1, "priority_zero_sent": 0,
                  "priority_zero_received": 1, "last_transition_unix": 1699999990.25}}
  ],
  "sync_groups": [],
  "sockets": [{"interface": "eth0", "family": "inet", "rejected": {"unknown_vrid": 5}}],
  "loop_lateness": {"bounds": [0.001, 0.01, 1], "cumulative": [7, 9, 10], "count": 11,
                    "sum_seconds": 2.5}
})";

constexpr const char* kCheckSnapshot = R"({
  "worker": "check", "pid": 12, "generation": 2,
  "virtual_servers": [
    {"name": "[10.0.0.100]:tcp:80", "quorum_up": true, "live_weight": 1, "quorum": 1,
     "hysteresis": 0, "sorry_server_active": false,
     "real_servers": [
       {"address": "10.0.0.1", "port": 80, "up": true, "weight": 1, "configured_weight": 1,
        "checkers": [{"type": "TCP_CHECK", "running": true, "up": true, "attempts": 9,
                      "outcomes": {"up": 9}}]},
       {"address": "10.0.0.2", "port": 80, "up": false, "weight": 0, "configured_weight": 1,
        "checkers": [{"type": "TCP_CHECK", "attempts": 4, "outcomes": {"refused": 3, "up": 1}}]}
     ]}
  ]
})";

MonitorView fixedView() {
  MonitorView v;
  v.generation = 2;
  v.now = TimePoint{std::chrono::seconds(100)};
  v.wallNowSeconds = 1700000100;
  v.workers = {reportingWorker("vrrp", kVrrpSnapshot), reportingWorker("check", kCheckSnapshot)};
  return v;
}

// A series: its sample name and its labels.
using Series = std::pair<std::string, std::map<std::string, std::string>>;

// The samples of a Prometheus text body (as this repository renders it:
// label values escape only \, " and newline).
std::map<Series, double> parseText(const std::string& text) {
  std::map<Series, double> out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    Series series;
    size_t i = line.find_first_of("{ ");
    series.first = line.substr(0, i);
    if (line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        const size_t eq = line.find('=', i);
        const std::string name = line.substr(i, eq - i);
        std::string value;
        for (i = eq + 2; line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        series.second[name] = value;
        ++i;                      // the closing quote
        if (line[i] == ',') ++i;  // the next label
      }
      ++i;  // the closing brace
    }
    out[series] = std::strtod(line.c_str() + i + 1, nullptr);
  }
  return out;
}

// The samples of a /metrics.json document, named as the text format names
// them (histograms as _bucket{le}, _sum and _count).
std::map<Series, double> flattenJson(const json& doc) {
  std::map<Series, double> out;
  for (const auto& [name, metric] : doc.items()) {
    for (const json& s : metric["samples"]) {
      const auto labels = s["labels"].get<std::map<std::string, std::string>>();
      if (metric["type"] != "histogram") {
        out[{name, labels}] = s["value"].get<double>();
        continue;
      }
      for (const json& b : s["buckets"]) {
        auto withLe = labels;
        withLe["le"] = formatValue(b["le"].get<double>());
        out[{name + "_bucket", withLe}] = b["count"].get<double>();
      }
      auto inf = labels;
      inf["le"] = "+Inf";
      out[{name + "_bucket", inf}] = s["count"].get<double>();
      out[{name + "_sum", labels}] = s["sum"].get<double>();
      out[{name + "_count", labels}] = s["count"].get<double>();
    }
  }
  return out;
}

TEST(MetricsJsonTest, HoldsExactlyThePrometheusSamplesOfTheSameView) {
  const MonitorView view = fixedView();
  const std::map<Series, double> text = parseText(renderPrometheus(collectMetrics(view)));
  const json doc = json::parse(renderMetricsJson(view));
  EXPECT_EQ(flattenJson(doc), text);
  // Not vacuous: both workers' parts and a histogram are in it.
  EXPECT_EQ(
      text.at({"vigil_vrrp_instance_state", {{"vrrp_instance", "VI_\"1\""}, {"state", "MASTER"}}}),
      1.0);
  EXPECT_EQ(text.at({"vigil_real_server_up",
                     {{"virtual_server", "[10.0.0.100]:tcp:80"}, {"real_server", "10.0.0.2:80"}}}),
            0.0);
  EXPECT_EQ(text.at({"vigil_vrrp_loop_lateness_seconds_bucket", {{"le", "0.01"}}}), 9.0);
}

TEST(MetricsJsonTest, CarriesEachMetricsTypeAndHelpFromTheTable) {
  const json doc = json::parse(renderMetricsJson(fixedView()));
  const MetricDef& transitions = metricDef(MetricId::VrrpInstanceTransitions);
  const json& j = doc.at(std::string(transitions.name));
  EXPECT_EQ(j["type"], "counter");
  EXPECT_EQ(j["help"], std::string(transitions.help));
  EXPECT_EQ(doc.at("vigil_vrrp_loop_lateness_seconds")["type"], "histogram");
  EXPECT_FALSE(doc.contains("vigil_smtp_alerts_sent_total"));  // no samples, no entry
}

TEST(MetricsJsonTest, IsServedAsJsonNextToMetrics) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/metrics.json";
  const HttpResponse response = route(r, fixedView());
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.contentType, "application/json");
  EXPECT_EQ(json::parse(response.body)["vigil_config_generation"]["samples"][0]["value"], 2);
}

}  // namespace
}  // namespace vigil::monitor
