#include "check/file_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>

#include "check/real_server_state.h"

namespace vigil::check {
namespace {

// A small file: a number and perhaps a newline. Reading more than this
// would only be garbage.
constexpr size_t kMaxFileBytes = 64;

std::optional<std::string> readSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text(kMaxFileBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

ProbeResult fault(std::string detail) {
  return ProbeResult{Outcome::FileFault, std::nullopt, std::move(detail)};
}

}  // namespace

FileProbe::FileProbe(EventLoop& loop, FileRule rule) : loop_(loop), rule_(std::move(rule)) {}

FileProbe::~FileProbe() { abort(AbortReason::Stopped); }

ProbeResult FileProbe::interpret(std::string_view text, const FileRule& rule) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) {
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) {
    return fault("no number in the file");
  }
  if (rule.multiplier == 0) {
    return value == 0 ? ProbeResult{Outcome::Up, std::nullopt, "value 0"}
                      : fault(fmt::format("value {}", value));
  }
  // The file's values are limited to 32 bits (as keepalived's are), so the
  // product of two fits in 64.
  const int64_t limit = std::numeric_limits<int32_t>::max();
  int64_t clamped = std::clamp<int64_t>(value, -limit - 1, limit);
  int64_t product = clamped * rule.multiplier * (rule.reverse ? -1 : 1);
  int64_t weight = static_cast<int64_t>(rule.configuredWeight) + product;
  if (weight < 0) {
    return fault(fmt::format("value {} takes the weight to {}", value, weight));
  }
  std::optional<uint32_t> dynamicWeight;
  if (rule.dynamic) {
    dynamicWeight = static_cast<uint32_t>(std::min<int64_t>(weight, kMaxRealServerWeight));
  }
  return ProbeResult{Outcome::Up, dynamicWeight, fmt::format("value {}", value)};
}

void FileProbe::start(Done done) {
  uint64_t attempt = ++attempt_;
  std::optional<std::string> text = readSmallFile(rule_.path);
  ProbeResult result =
      text ? interpret(*text, rule_) : fault(fmt::format("cannot read {}", rule_.path));
  loop_.post([this, alive = std::weak_ptr<int>(alive_), attempt, done = std::move(done),
              result = std::move(result)] {
    if (!alive.expired() && attempt == attempt_) {
      done(result);
    }
  });
}

void FileProbe::abort(AbortReason /*reason*/) { ++attempt_; }

}  // namespace vigil::check
