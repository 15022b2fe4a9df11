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

std::string renderPrometheus(const MetricSet& metrics) {
  std::string out;
  for (const MetricDef& def : metricTable()) {
    const auto& samples = metrics.samples(def.id);
    if (samples.empty()) continue;
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", def.name,
                   escapeHelp(def.help), def.name,
                   def.type == MetricType::Counter ? "counter" : "gauge");
    for (const auto& [labels, value] : samples) {
      out += def.name;
      if (!labels.empty()) {
        out += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i > 0) out += ',';
          fmt::format_to(std::back_inserter(out), "{}=\"{}\"", def.labels[i],
                         escapeLabelValue(labels[i]));
        }
        out += '}';
      }
      out += ' ';
      out += formatValue(value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace vigil::monitor
