#include "config/lexer_loop.h"

#include <charconv>
#include <optional>

#include "config/lexer_line.h"

namespace vigil::config::lexer {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

bool isName(std::string_view s) { return !s.empty() && identLength(s) == s.size(); }

// Splits on commas that are not inside {...}.
std::vector<std::string_view> splitTopLevel(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}') {
      --depth;
    } else if (s[i] == ',' && depth == 0) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(s.substr(start)));
  return parts;
}

// A decimal or 0x-prefixed hexadecimal integer with an optional sign.
std::optional<int64_t> parseInteger(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() ||
      magnitude > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
}

std::variant<LoopSpec, std::string> parseSeq(LoopSpec spec,
                                             const std::vector<std::string_view>& args) {
  if (args.size() < 2 || args.size() > 4) {
    return std::string("expects (VAR, [START, [STEP,]] END)");
  }
  int64_t numbers[3] = {};
  for (size_t i = 1; i < args.size(); ++i) {
    std::optional<int64_t> v = parseInteger(args[i]);
    if (!v) {
      return "'" + std::string(args[i]) + "' is not an integer";
    }
    numbers[i - 1] = *v;
  }
  int64_t end = numbers[args.size() - 2];
  int64_t start = args.size() == 2 ? (end < 0 ? -1 : 1) : numbers[0];
  int64_t step = args.size() == 4 ? numbers[1] : (end >= start ? 1 : -1);
  if (step == 0) {
    return std::string("STEP must not be 0");
  }
  __int128 distance = static_cast<__int128>(end) - start;
  if ((distance > 0 && step < 0) || (distance < 0 && step > 0)) {
    return std::string("STEP moves away from END");
  }
  spec.start = start;
  spec.step = step;
  __int128 count = distance / step + 1;
  spec.count =
      count > static_cast<__int128>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(count);
  return spec;
}

// "{a, b}" -> ["a", "b"]; a bare value is a one-element group.
std::vector<std::string_view> group(std::string_view s) {
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
    std::vector<std::string_view> items;
    std::string_view inner = s.substr(1, s.size() - 2);
    size_t start = 0;
    for (size_t i = 0; i <= inner.size(); ++i) {
      if (i == inner.size() || inner[i] == ',') {
        items.push_back(trim(inner.substr(start, i - start)));
        start = i + 1;
      }
    }
    return items;
  }
  return {s};
}

std::variant<LoopSpec, std::string> parseList(LoopSpec spec,
                                              const std::vector<std::string_view>& args) {
  if (args.size() < 2) {
    return std::string("expects (VAR, VALUE...) or ({VAR, ...}, {VALUE, ...}...)");
  }
  for (std::string_view var : group(args[0])) {
    if (!isName(var)) {
      return "'" + std::string(var) + "' is not a parameter name";
    }
    spec.vars.emplace_back(var);
  }
  for (size_t i = 1; i < args.size(); ++i) {
    std::vector<std::string_view> values = group(args[i]);
    if (values.size() != spec.vars.size()) {
      return "'" + std::string(args[i]) + "' does not have one value per variable";
    }
    spec.rows.emplace_back(values.begin(), values.end());
  }
  return spec;
}

std::string hex(int64_t v) {
  uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char buf[20];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, magnitude, 16);
  (void)ec;
  return (v < 0 ? "-" : "") + std::string(buf, ptr);
}

}  // namespace

std::string LoopSpec::value(uint64_t k, size_t var) const {
  if (kind == Kind::List) {
    return rows[k][var];
  }
  auto v = static_cast<int64_t>(static_cast<__int128>(start) + static_cast<__int128>(k) * step);
  return kind == Kind::SeqHex ? hex(v) : std::to_string(v);
}

bool startsLoop(std::string_view text) {
  return text.starts_with("~SEQ(") || text.starts_with("~SEQx(") || text.starts_with("~LST(");
}

std::variant<LoopSpec, std::string> parseLoop(std::string_view keyword, std::string_view inner) {
  LoopSpec spec;
  std::vector<std::string_view> args = splitTopLevel(inner);
  if (keyword == "~LST") {
    spec.kind = LoopSpec::Kind::List;
    return parseList(std::move(spec), args);
  }
  spec.kind = keyword == "~SEQx" ? LoopSpec::Kind::SeqHex : LoopSpec::Kind::Seq;
  if (!isName(args[0])) {
    return "'" + std::string(args[0]) + "' is not a parameter name";
  }
  spec.vars.emplace_back(args[0]);
  return parseSeq(std::move(spec), args);
}

}  // namespace vigil::config::lexer
