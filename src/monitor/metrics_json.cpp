#include "monitor/metrics_json.h"

#include <nlohmann/json.hpp>

#include "monitor/snapshot_metrics.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;

json labelsJson(const MetricDef& def, const MetricSet::Labels& labels) {
  json out = json::object();
  for (size_t i = 0; i < labels.size(); ++i) out[std::string(def.labels[i])] = labels[i];
  return out;
}

json histogramJson(const MetricDef& def, const MetricSet::Labels& labels,
                   const MetricSet::Histogram& h) {
  json buckets = json::array();
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    buckets.push_back({{"le", h.bounds[i]}, {"count", h.cumulative[i]}});
  }
  return {{"labels", labelsJson(def, labels)},
          {"buckets", std::move(buckets)},
          {"count", h.count},
          {"sum", h.sum}};
}

}  // namespace

std::string renderMetricsJson(const MetricSet& metrics) {
  json doc = json::object();
  for (const MetricDef& def : metricTable()) {
    json samples = json::array();
    for (const auto& [labels, value] : metrics.samples(def.id)) {
      samples.push_back({{"labels", labelsJson(def, labels)}, {"value", value}});
    }
    for (const auto& [labels, h] : metrics.histograms(def.id)) {
      samples.push_back(histogramJson(def, labels, h));
    }
    if (samples.empty()) continue;
    doc[std::string(def.name)] = {{"type", std::string(metricTypeName(def.type))},
                                  {"help", std::string(def.help)},
                                  {"samples", std::move(samples)}};
  }
  return doc.dump();
}

std::string renderMetricsJsonMembers(const MetricSet& metrics) {
  std::string doc = renderMetricsJson(metrics);  // "{...}": an object
  return doc.substr(1, doc.size() - 2);
}

std::string renderMetricsJson(const MonitorView& view) {
  return renderMetricsJson(collectMetrics(view)) + "\n";
}

}  // namespace vigil::monitor
