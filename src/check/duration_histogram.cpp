#include "check/duration_histogram.h"

#include <algorithm>

namespace vigil::check {

void DurationHistogram::observe(Duration duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  auto bound = std::lower_bound(kBoundsSeconds.begin(), kBoundsSeconds.end(), seconds);
  buckets_.increment(static_cast<size_t>(bound - kBoundsSeconds.begin()));  // end: kAbove
  sumSeconds_ += seconds;
}

uint64_t DurationHistogram::count() const { return cumulative(kAbove); }

uint64_t DurationHistogram::cumulative(size_t i) const {
  uint64_t total = 0;
  for (size_t k = 0; k <= i && k < buckets_.size(); ++k) total += buckets_[k];
  return total;
}

void DurationHistogram::write(JsonWriter& out) const {
  out.object().key("bounds").array();
  for (double bound : kBoundsSeconds) out.value(bound);
  out.end().key("cumulative").array();
  uint64_t total = 0;
  for (size_t k = 0; k < kAbove; ++k) {
    total += buckets_[k];
    out.value(total);
  }
  out.end().field("count", total + buckets_[kAbove]).field("sum_seconds", sumSeconds_).end();
}

}  // namespace vigil::check
