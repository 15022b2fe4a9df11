#include "check/unavailable_probe.h"

namespace vigil::check {

void UnavailableProbe::start(Done done) {
  const uint64_t attempt = ++attempt_;
  std::weak_ptr<int> alive = alive_;
  loop_.post([this, alive, attempt, done = std::move(done)] {
    if (alive.expired() || attempt != attempt_) return;
    done(ProbeResult{Outcome::Internal, std::nullopt, why_});
  });
}

void UnavailableProbe::abort(AbortReason) { ++attempt_; }

}  // namespace vigil::check
