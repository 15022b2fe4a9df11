#include "monitor/metric_set.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <cstdint>

namespace vigil::monitor {

void MetricSet::set(MetricId id, Labels labels, double value) {
  assert(labels.size() == metricDef(id).labelCount());
  samples_[static_cast<size_t>(id)][std::move(labels)] = value;
}

void MetricSet::add(MetricId id, Labels labels, double value) {
  assert(labels.size() == metricDef(id).labelCount());
  samples_[static_cast<size_t>(id)][std::move(labels)] += value;
}

void MetricSet::setHistogram(MetricId id, Labels labels, Histogram histogram) {
  assert(metricDef(id).type == MetricType::Histogram);
  assert(labels.size() == metricDef(id).labelCount());
  assert(histogram.bounds.size() == histogram.cumulative.size());
  histograms_[static_cast<size_t>(id)][std::move(labels)] = std::move(histogram);
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Counters and gauges are mostly whole numbers; 2^53 keeps them exact.
  constexpr double kExactIntegers = 9007199254740992.0;
  if (value == std::trunc(value) && std::fabs(value) < kExactIntegers) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

namespace {

std::string_view typeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Gauge:
      break;
  }
  return "gauge";
}

}  // namespace

void appendEscapedLabelValue(std::string& out, std::string_view value) {
  if (value.find_first_of("\\\"\n") == std::string_view::npos) {
    out += value;  // the usual case: nothing to escape, no copy
    return;
  }
  out += escapeLabelValue(value);
}

void appendValue(std::string& out, double value) {
  constexpr double kExactIntegers = 9007199254740992.0;
  if (!std::isnan(value) && value == std::trunc(value) && std::fabs(value) < kExactIntegers) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<int64_t>(value));
    return;
  }
  out += formatValue(value);
}

namespace {

// One line: name{label="value",...} value. `extra` is one more label (a
// histogram bucket's `le`), or empty. Appends in place: a big body is
// millions of these.
void appendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const MetricDef& def, const MetricSet::Labels& labels, std::string_view extra,
                  double value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out += ',';
      out += def.labels[i];
      out += "=\"";
      appendEscapedLabelValue(out, labels[i]);
      out += '"';
    }
    if (!extra.empty()) {
      if (!labels.empty()) out += ',';
      out += extra;
    }
    out += '}';
  }
  out += ' ';
  appendValue(out, value);
  out += '\n';
}

void appendHistogram(std::string& out, const MetricDef& def, const MetricSet::Labels& labels,
                     const MetricSet::Histogram& h, std::vector<std::string>& leLabels) {
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (leLabels.size() <= i) leLabels.resize(i + 1);
    // Bounds repeat from series to series: format each `le` once.
    std::string& le = leLabels[i];
    const std::string wanted = formatValue(h.bounds[i]);
    if (le.size() != wanted.size() + 5 || le.compare(4, wanted.size(), wanted) != 0) {
      le = fmt::format("le=\"{}\"", wanted);
    }
    appendSample(out, def.name, "_bucket", def, labels, le, h.cumulative[i]);
  }
  appendSample(out, def.name, "_bucket", def, labels, "le=\"+Inf\"", h.count);
  appendSample(out, def.name, "_sum", def, labels, "", h.sum);
  appendSample(out, def.name, "_count", def, labels, "", h.count);
}

}  // namespace

std::string leLabel(double bound) { return fmt::format("le=\"{}\"", formatValue(bound)); }

void appendMetricHeader(std::string& out, const MetricDef& def) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", def.name,
                 escapeHelp(def.help), def.name, typeName(def.type));
}

void appendSeries(std::string& out, const MetricSet& metrics, MetricId id) {
  const MetricDef& def = metricDef(id);
  for (const auto& [labels, value] : metrics.samples(id)) {
    appendSample(out, def.name, "", def, labels, "", value);
  }
  std::vector<std::string> leLabels;
  for (const auto& [labels, h] : metrics.histograms(id)) {
    appendHistogram(out, def, labels, h, leLabels);
  }
}

std::string renderPrometheus(const MetricSet& metrics) {
  std::string out;
  for (const MetricDef& def : metricTable()) {
    if (metrics.samples(def.id).empty() && metrics.histograms(def.id).empty()) continue;
    appendMetricHeader(out, def);
    appendSeries(out, metrics, def.id);
  }
  return out;
}

}  // namespace vigil::monitor
