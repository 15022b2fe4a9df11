#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/metric_table.h"

namespace vigil::monitor {

// Sample values of the metrics in metric_table.h, keyed by label values in
// the table's label order. Ordered maps keep the rendered text stable.
class MetricSet {
 public:
  using Labels = std::vector<std::string>;

  // One histogram series: counts at or below each bound (cumulative, as
  // Prometheus' `le` buckets are), then the total count and sum.
  struct Histogram {
    std::vector<double> bounds;
    std::vector<double> cumulative;  // one per bound
    double count = 0;                // also the +Inf bucket
    double sum = 0;
  };

  // Sets a sample; `labels` must have the metric's label count (asserted).
  void set(MetricId id, Labels labels, double value);
  // Adds to a sample (two checkers of one type on one real server count
  // into the same series).
  void add(MetricId id, Labels labels, double value);

  // Sets a histogram series of a Histogram metric (asserted).
  void setHistogram(MetricId id, Labels labels, Histogram histogram);

  const std::map<Labels, double>& samples(MetricId id) const {
    return samples_[static_cast<size_t>(id)];
  }
  const std::map<Labels, Histogram>& histograms(MetricId id) const {
    return histograms_[static_cast<size_t>(id)];
  }

 private:
  std::array<std::map<Labels, double>, kMetricCount> samples_;
  std::array<std::map<Labels, Histogram>, kMetricCount> histograms_;
};

// The Prometheus text exposition format 0.0.4: per metric with samples, a
// HELP and a TYPE line, then one line per series, in table order.
std::string renderPrometheus(const MetricSet& metrics);
// The two halves of renderPrometheus for one metric, for a renderer that
// assembles a body from kept pieces: its HELP and TYPE lines, and its
// series lines (nothing when it has none).
void appendMetricHeader(std::string& out, const MetricDef& def);
void appendSeries(std::string& out, const MetricSet& metrics, MetricId id);
// A series line's pieces as appendSeries writes them: a label value
// escaped where it must be, and a value (a whole number below 2^53 without
// a point, the rest as formatValue).
void appendEscapedLabelValue(std::string& out, std::string_view value);
void appendValue(std::string& out, double value);
// le="BOUND": a histogram bucket's label as appendSeries writes it.
std::string leLabel(double bound);

// A label value with \, " and newline escaped as the format requires.
std::string escapeLabelValue(std::string_view value);
// HELP text with \ and newline escaped.
std::string escapeHelp(std::string_view help);
// A sample value: integers without a decimal point, NaN, +Inf, -Inf.
std::string formatValue(double value);

}  // namespace vigil::monitor
