#pragma once

#include <cstdlib>
#include <optional>
#include <string>

// Reading values out of a vigild /metrics body (Prometheus text format) as
// curl or a raw socket returned it. Every reader returns nullopt when the
// series is not there, so an empty body (a failed scrape) is a missing value
// the test must check, never a zero.
namespace vigil::test {

// The value of the series written exactly as `series` (name and labels).
inline std::optional<double> metricSample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(text.c_str() + at + key.size() - 1, nullptr);
}

// The VRRP worker's loop-lateness histogram: observations in all, and those
// at or under 0.1 s (the bucket the VRRP tests hold a stall to).
struct LoopLateness {
  double count = 0;
  double upTo100ms = 0;
};

// Both series of the histogram; nullopt if either is missing.
inline std::optional<LoopLateness> loopLateness(const std::string& text) {
  const auto count = metricSample(text, "vigil_vrrp_loop_lateness_seconds_count");
  const auto fast = metricSample(text, "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.1\"}");
  if (!count || !fast) return std::nullopt;
  return LoopLateness{*count, *fast};
}

}  // namespace vigil::test
