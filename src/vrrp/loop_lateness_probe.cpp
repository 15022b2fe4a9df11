#include "vrrp/loop_lateness_probe.h"

#include <algorithm>

namespace vigil::vrrp {

LoopLatenessProbe::LoopLatenessProbe(EventLoop& loop)
    : loop_(loop), timer_(loop.createTimer([this] { fired(); })) {
  deadline_ = loop_.now() + kPeriod;
  timer_->armAt(deadline_);
}

void LoopLatenessProbe::fired() {
  const TimePoint now = loop_.now();
  observe(now - deadline_);
  // From now, not from the old deadline: a stalled loop yields one late
  // sample, not a burst of catch-up ones.
  deadline_ = now + kPeriod;
  timer_->armAt(deadline_);
}

void LoopLatenessProbe::observe(Duration lateness) {
  const double seconds =
      std::chrono::duration<double>(std::max(lateness, Duration::zero())).count();
  ++count_;
  sumSeconds_ += seconds;
  auto bound = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
  if (bound != kBounds.end()) ++buckets_[static_cast<size_t>(bound - kBounds.begin())];
}

std::array<uint64_t, LoopLatenessProbe::kBounds.size()> LoopLatenessProbe::cumulative() const {
  std::array<uint64_t, kBounds.size()> out{};
  uint64_t running = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    running += buckets_[i];
    out[i] = running;
  }
  return out;
}

}  // namespace vigil::vrrp
