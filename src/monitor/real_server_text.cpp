#include "monitor/real_server_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <vector>

#include "monitor/metric_set.h"
#include "monitor/metric_table.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {
namespace {

// Deeper values than this in a part the reader skips: left to the JSON
// parser.
constexpr int kMaxDepth = 32;

// A member value as snapshot_metrics.cpp's number() and text() see it.
struct Scalar {
  enum class Kind { Missing, Number, Bool, String, Other };
  Kind kind = Kind::Missing;
  double number = 0;
  std::string_view text;

  // number(): a number, or a bool as 1 or 0.
  std::optional<double> asNumber() const {
    if (kind == Kind::Number) return number;
    if (kind == Kind::Bool) return number;
    return std::nullopt;
  }
  // text(): a string, or empty.
  std::string_view asText() const { return kind == Kind::String ? text : std::string_view(); }
};

// A strict JSON reader over one object's text that refuses (fails) rather
// than interprets anything outside the plain shape: strings with an escape,
// a control character or a byte outside ASCII; numbers beyond a double.
// Once failed, every call returns false or nothing.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool failed() const { return failed_; }
  bool fail() {
    failed_ = true;
    return false;
  }

  void skipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }
  // After space: whether the next byte is `c` (consumed if so).
  bool take(char c) {
    skipSpace();
    if (failed_ || at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool expect(char c) { return take(c) || fail(); }
  char peek() {
    skipSpace();
    return failed_ || at_ >= text_.size() ? '\0' : text_[at_];
  }
  bool atEnd() {
    skipSpace();
    return at_ == text_.size();
  }

  std::optional<std::string_view> string() {
    if (!expect('"')) return std::nullopt;
    const size_t begin = at_;
    for (; at_ < text_.size(); ++at_) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') return text_.substr(begin, at_++ - begin);
      if (c == '\\' || c < 0x20 || c >= 0x80) break;
    }
    fail();
    return std::nullopt;
  }

  // Objects: `{`, then key() ... until endObject().
  bool beginObject() { return expect('{'); }
  // The next member's key, or nothing at the object's end (consumed) or on
  // failure.
  std::optional<std::string_view> key(bool first) {
    if (take('}')) return std::nullopt;
    if (!first && !expect(',')) return std::nullopt;
    std::optional<std::string_view> name = string();
    if (!name || !expect(':')) return std::nullopt;
    return name;
  }
  // Arrays: `[`, then next() before each element.
  bool beginArray() { return expect('['); }
  // Whether an element follows (false at the end, consumed, or on failure).
  bool next(bool first) {
    if (take(']')) return false;
    return first || expect(',');
  }

  Scalar scalar() {
    Scalar s;
    const char c = peek();
    if (c == '"') {
      s.kind = Scalar::Kind::String;
      s.text = string().value_or(std::string_view());
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      s.kind = Scalar::Kind::Number;
      s.number = number();
    } else if (literal("true")) {
      s.kind = Scalar::Kind::Bool;
      s.number = 1;
    } else if (literal("false")) {
      s.kind = Scalar::Kind::Bool;
    } else {
      s.kind = Scalar::Kind::Other;
      skipValue(0);
    }
    return s;
  }

  bool skipValue(int depth) {
    if (depth > kMaxDepth) return fail();
    const char c = peek();
    if (c == '{') {
      beginObject();
      for (bool first = true; key(first); first = false) {
        if (!skipValue(depth + 1)) return false;
      }
      return !failed_;
    }
    if (c == '[') {
      beginArray();
      for (bool first = true; next(first); first = false) {
        if (!skipValue(depth + 1)) return false;
      }
      return !failed_;
    }
    if (c == '"') return string().has_value();
    if (c == '-' || (c >= '0' && c <= '9')) {
      (void)number();
      return !failed_;
    }
    return literal("true") || literal("false") || literal("null") || fail();
  }

 private:
  bool literal(std::string_view word) {
    if (failed_ || text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  size_t digits() {
    const size_t begin = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ - begin;
  }

  // JSON's number grammar exactly; the value correctly rounded, as
  // nlohmann's strtod (or its integer converted) gives it.
  double number() {
    const size_t begin = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (digits() == 0) {
      fail();
      return 0;
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (digits() == 0) {
        fail();
        return 0;
      }
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (digits() == 0) {
        fail();
        return 0;
      }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text_.data() + begin, text_.data() + at_, value);
    if (ec != std::errc() || end != text_.data() + at_ || !std::isfinite(value)) fail();
    return value;
  }

  std::string_view text_;
  size_t at_ = 0;
  bool failed_ = false;
};

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
bool once(Reader& in, Scalar& slot) {
  if (slot.kind != Scalar::Kind::Missing) return in.fail();
  slot = in.scalar();
  return !in.failed();
}

// An array of numbers (bools are not: histogram() refuses them too);
// nothing when it is not one.
std::optional<std::vector<double>> numbers(Reader& in) {
  if (in.peek() != '[') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginArray();
  std::vector<double> out;
  bool all = true;
  for (bool first = true; in.next(first); first = false) {
    const Scalar s = in.scalar();
    all = all && s.kind == Scalar::Kind::Number;
    out.push_back(s.number);
  }
  if (!all) return std::nullopt;
  return out;
}

// snapshot_metrics.cpp's histogram(): nothing when malformed.
std::optional<Histogram> histogram(Reader& in) {
  if (in.peek() != '{') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginObject();
  std::optional<std::vector<double>> bounds;
  std::optional<std::vector<double>> cumulative;
  bool seenBounds = false;
  bool seenCumulative = false;
  Scalar count;
  Scalar sum;
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

bool outcomes(Reader& in, Checker& checker) {
  if (in.peek() != '{') return in.skipValue(0);
  in.beginObject();
  for (bool first = true;; first = false) {
    std::optional<std::string_view> reason = in.key(first);
    if (!reason) break;
    const Scalar count = in.scalar();
    if (in.failed()) return false;
    for (const auto& [seen, value] : checker.failures) {
      if (seen == *reason) return in.fail();
    }
    // "up" is a success; a bool or anything else is no count.
    if (*reason == "up" || count.kind != Scalar::Kind::Number) continue;
    checker.failures.emplace_back(*reason, count.number);
  }
  std::sort(checker.failures.begin(), checker.failures.end());
  return !in.failed();
}

// One element of "checkers": a Checker, or nothing (not an object: skipped
// as collectRealServer skips it).
std::optional<Checker> checker(Reader& in) {
  if (in.peek() != '{') {
    in.skipValue(0);
    return std::nullopt;
  }
  in.beginObject();
  Checker out;
  Scalar type;
  Scalar attempts;
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
  Reader in(object);
  if (!in.beginObject()) return false;
  Scalar address;
  Scalar port;
  Scalar up;
  Scalar weight;
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
