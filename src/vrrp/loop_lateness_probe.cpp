#include "vrrp/loop_lateness_probe.h"

#include <algorithm>

namespace vigil::vrrp {

LoopLatenessProbe::LoopLatenessProbe(EventLoop& loop)
    : loop_(loop), timer_(loop.createTimer([this] { fired(); })) {
  armFrom(loop_.now());
}

std::function<void(Duration)> LoopLatenessProbe::feedFromLoop() {
  fed_ = true;
  armFrom(loop_.now());
  return [this](Duration lateness) { observe(lateness); };
}

void LoopLatenessProbe::fired() {
  const TimePoint now = loop_.now();
  // Fed: the loop has reported this firing already.
  if (!fed_) observe(now - deadline_);
  armFrom(now);
}

void LoopLatenessProbe::armFrom(TimePoint now) {
  // From now, not from the old deadline: a stalled loop yields one late
  // sample, not a burst of catch-up ones.
  deadline_ = now + (fed_ ? kFedPeriod : kPeriod);
  timer_->armAt(deadline_);
}

void LoopLatenessProbe::observe(Duration lateness) {
  const Duration late = std::max(lateness, Duration::zero());
  ++count_;
  sumSeconds_ += std::chrono::duration<double>(late).count();
  // Nearly every firing is on time: the first bound takes it in one compare.
  for (size_t i = 0; i < kBoundDurations.size(); ++i) {
    if (late <= kBoundDurations[i]) {
      ++buckets_[i];
      return;
    }
  }
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
