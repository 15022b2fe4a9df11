#pragma once

#include <array>
#include <cstdint>

#include "check/compact_counts.h"
#include "core/clock.h"
#include "core/json_writer.h"

namespace vigil::check {

// Probe durations in Prometheus-style buckets from 1 ms to 10 s: a TCP
// connect on a LAN takes about a millisecond, connect_timeout is rarely
// above 10 s. Counts are per bucket (not cumulative) until written.
class DurationHistogram {
 public:
  static constexpr std::array<double, 13> kBoundsSeconds = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  void observe(Duration duration);

  uint64_t count() const;
  double sumSeconds() const { return sumSeconds_; }
  // Observations at or below kBoundsSeconds[i] (Prometheus' `le`).
  uint64_t cumulative(size_t i) const;

  // {"bounds": [...], "cumulative": [...], "count": n, "sum_seconds": s},
  // the shape /metrics reads histograms in.
  void write(JsonWriter& out) const;

 private:
  static constexpr size_t kAbove = kBoundsSeconds.size();  // above the last bound
  // Per bound, then kAbove; the count is their sum (72 bytes, not 120: a
  // check worker holds one per checker).
  CompactCounts<kBoundsSeconds.size() + 1> buckets_;
  double sumSeconds_ = 0;
};

}  // namespace vigil::check
