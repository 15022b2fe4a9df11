#include "monitor/real_server_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <vector>

#include "monitor/json_reader.h"
#include "monitor/metric_set.h"
#include "monitor/metric_table.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {
namespace {

struct Histogram {
  std::vector<double> bounds;
  std::vector<double> cumulative;
  double count = 0;
  double sum = 0;
};

struct Checker {
  std::string_view type;
  std::optional<double> attempts;
  std::vector<std::pair<std::string_view, double>> failures;  // by reason, sorted
  std::optional<Histogram> duration;
};

// Sets `slot` from the member's value, failing if the key came before.
bool once(JsonReader& in, JsonScalar& slot) {
  if (slot.kind != JsonScalar::Kind::Missing) return in.fail();
  slot = in.scalar();
  return !in.failed();
}

// An array of numbers (bools are not: histogram() refuses them too);
// nothing when it is not one.
std::optional<std::vector<double>> numbers(JsonReader& in) {
  if (in.peek() != '[') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginArray();
  std::vector<double> out;
  bool all = true;
  for (bool first = true; in.next(first); first = false) {
    const JsonScalar s = in.scalar();
    all = all && s.kind == JsonScalar::Kind::Number;
    out.push_back(s.number);
  }
  if (!all) return std::nullopt;
  return out;
}

// snapshot_metrics.cpp's histogram(): nothing when malformed.
std::optional<Histogram> histogram(JsonReader& in) {
  if (in.peek() != '{') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginObject();
  std::optional<std::vector<double>> bounds;
  std::optional<std::vector<double>> cumulative;
  bool seenBounds = false;
  bool seenCumulative = false;
  JsonScalar count;
  JsonScalar sum;
  for (bool first = true;; first = false) {
    std::optional<std::string_view> name = in.key(first);
    if (!name) break;
    if (*name == "bounds") {
      if (seenBounds) in.fail();
      seenBounds = true;
      bounds = numbers(in);
    } else if (*name == "cumulative") {
      if (seenCumulative) in.fail();
      seenCumulative = true;
      cumulative = numbers(in);
    } else if (*name == "count") {
      once(in, count);
    } else if (*name == "sum_seconds") {
      once(in, sum);
    } else {
      in.skipValue(0);
    }
    if (in.failed()) return std::nullopt;
  }
  if (in.failed() || !bounds || !cumulative || bounds->size() != cumulative->size() ||
      !count.asNumber() || !sum.asNumber()) {
    return std::nullopt;
  }
  return Histogram{std::move(*bounds), std::move(*cumulative), *count.asNumber(), *sum.asNumber()};
}

bool outcomes(JsonReader& in, Checker& checker) {
  if (in.peek() != '{') return in.skipValue(0);
  in.beginObject();
  for (bool first = true;; first = false) {
    std::optional<std::string_view> reason = in.key(first);
    if (!reason) break;
    const JsonScalar count = in.scalar();
    if (in.failed()) return false;
    for (const auto& [seen, value] : checker.failures) {
      if (seen == *reason) return in.fail();
    }
    // "up" is a success; a bool or anything else is no count.
    if (*reason == "up" || count.kind != JsonScalar::Kind::Number) continue;
    checker.failures.emplace_back(*reason, count.number);
  }
  std::sort(checker.failures.begin(), checker.failures.end());
  return !in.failed();
}

// One element of "checkers": a Checker, or nothing (not an object: skipped
// as collectRealServer skips it).
std::optional<Checker> checker(JsonReader& in) {
  if (in.peek() != '{') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginObject();
  Checker out;
  JsonScalar type;
  JsonScalar attempts;
  bool seenOutcomes = false;
  bool seenDuration = false;
  for (bool first = true;; first = false) {
    std::optional<std::string_view> name = in.key(first);
    if (!name) break;
    if (*name == "type") {
      once(in, type);
    } else if (*name == "attempts") {
      once(in, attempts);
    } else if (*name == "outcomes") {
      if (seenOutcomes) in.fail();
      seenOutcomes = true;
      outcomes(in, out);
    } else if (*name == "duration") {
      if (seenDuration) in.fail();
      seenDuration = true;
      out.duration = histogram(in);
    } else {
      in.skipValue(0);
    }
    if (in.failed()) return std::nullopt;
  }
  out.type = type.asText();
  out.attempts = attempts.asNumber();
  return out;
}

// NAME+suffix{LABELS[,extra]} value, as appendSeries writes it, with
// the labels' text written (and escaped) once per server, not per line.
void line(std::string& out, const MetricDef& def, std::string_view suffix, std::string_view labels,
          std::string_view extra, double value) {
  out += def.name;
  out += suffix;
  out += '{';
  out += labels;
  if (!extra.empty()) {
    out += ',';
    out += extra;
  }
  out += "} ";
  appendValue(out, value);
  out += '\n';
}

// NAME="VALUE"; a value read plainly needs no escape (it has no backslash,
// quote or newline), the virtual server's name may.
void label(std::string& out, std::string_view name, std::string_view value, bool plain) {
  out += name;
  out += "=\"";
  if (plain) {
    out += value;
  } else {
    appendEscapedLabelValue(out, value);
  }
  out += '"';
}

// The le labels of kCheckDurationBounds, the only bounds kept.
const std::array<std::string, kCheckDurationBounds.size()>& keptLeLabels() {
  static const auto labels = [] {
    std::array<std::string, kCheckDurationBounds.size()> out;
    for (size_t i = 0; i < out.size(); ++i) out[i] = leLabel(kCheckDurationBounds[i]);
    return out;
  }();
  return labels;
}

// keepCheckDurationBounds (snapshot_metrics.cpp): the bounds of
// kCheckDurationBounds, none without a sample.
void appendDuration(std::string& out, const MetricDef& def, std::string_view labels,
                    const Histogram& h) {
  if (h.count != 0) {
    for (size_t i = 0; i < h.bounds.size(); ++i) {
      const auto kept =
          std::find(kCheckDurationBounds.begin(), kCheckDurationBounds.end(), h.bounds[i]);
      if (kept == kCheckDurationBounds.end()) continue;
      line(out, def, "_bucket", labels,
           keptLeLabels()[static_cast<size_t>(kept - kCheckDurationBounds.begin())],
           h.cumulative[i]);
    }
  }
  line(out, def, "_bucket", labels, "le=\"+Inf\"", h.count);
  line(out, def, "_sum", labels, "", h.sum);
  line(out, def, "_count", labels, "", h.count);
}

}  // namespace

bool renderRealServerText(std::string_view vs, std::string_view object,
                          config::CheckDurationMetrics mode, RealServerText& out) {
  if (mode == config::CheckDurationMetrics::PerService) return false;
  JsonReader in(object);
  if (!in.beginObject()) return false;
  JsonScalar address;
  JsonScalar port;
  JsonScalar up;
  JsonScalar weight;
  bool seenCheckers = false;
  bool checkersArray = false;
  std::vector<Checker> checkers;
  for (bool first = true;; first = false) {
    std::optional<std::string_view> name = in.key(first);
    if (!name) break;
    if (*name == "address") {
      once(in, address);
    } else if (*name == "port") {
      once(in, port);
    } else if (*name == "up") {
      once(in, up);
    } else if (*name == "weight") {
      once(in, weight);
    } else if (*name == "checkers") {
      if (seenCheckers) return false;
      seenCheckers = true;
      checkersArray = in.peek() == '[';
      if (!checkersArray) {
        in.skipValue(0);
        continue;
      }
      in.beginArray();
      for (bool firstChecker = true; in.next(firstChecker); firstChecker = false) {
        if (std::optional<Checker> c = checker(in)) checkers.push_back(std::move(*c));
        if (in.failed()) return false;
      }
    } else {
      in.skipValue(0);
    }
    if (in.failed()) return false;
  }
  if (in.failed() || !in.atEnd()) return false;
  // Two checkers of one type share their series (summed): the JSON way.
  std::sort(checkers.begin(), checkers.end(),
            [](const Checker& a, const Checker& b) { return a.type < b.type; });
  for (size_t i = 1; i < checkers.size(); ++i) {
    if (checkers[i].type == checkers[i - 1].type) return false;
  }

  out.name.clear();
  appendRealServerName(out.name, address.asText(), port.asNumber());
  for (std::string& series : out.series) series.clear();
  out.up = up.asNumber().value_or(0);

  // Every metric here starts with the same two labels (metric_table.cpp).
  const MetricDef& upDef = metricDef(MetricId::RealServerUp);
  std::string server;
  label(server, upDef.labels[0], vs, false);
  server += ',';
  label(server, upDef.labels[1], out.name, true);
  if (const std::optional<double> v = up.asNumber()) line(out.series[0], upDef, "", server, "", *v);
  if (const std::optional<double> v = weight.asNumber()) {
    line(out.series[1], metricDef(MetricId::RealServerWeight), "", server, "", *v);
  }
  const MetricDef& attempts = metricDef(MetricId::RealServerCheckAttempts);
  const MetricDef& failures = metricDef(MetricId::RealServerCheckFailures);
  const MetricDef& duration = metricDef(MetricId::CheckDuration);
  std::string withType;
  std::string withReason;
  for (const Checker& c : checkers) {
    withType = server;
    withType += ',';
    label(withType, attempts.labels[2], c.type, true);
    if (c.attempts) line(out.series[2], attempts, "", withType, "", *c.attempts);
    for (const auto& [reason, count] : c.failures) {
      withReason = withType;
      withReason += ',';
      label(withReason, failures.labels[3], reason, true);
      line(out.series[3], failures, "", withReason, "", count);
    }
    if (mode == config::CheckDurationMetrics::PerServer && c.duration) {
      appendDuration(out.series[4], duration, withType, *c.duration);
    }
  }
  return true;
}

}  // namespace vigil::monitor
