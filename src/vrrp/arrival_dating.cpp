#include "vrrp/arrival_dating.h"

#include <algorithm>

namespace vigil::vrrp {
namespace {

std::chrono::nanoseconds offsetOf(TimePoint now, std::chrono::nanoseconds realNow) {
  return realNow - now.time_since_epoch();
}

}  // namespace

void ArrivalDating::restart(TimePoint now, std::chrono::nanoseconds realNow) {
  readAt_ = now;
  offset_ = offsetOf(now, realNow);
}

void ArrivalDating::beginDrain(TimePoint now, std::chrono::nanoseconds realNow) {
  const std::chrono::nanoseconds offset = offsetOf(now, realNow);
  trusted_ = false;
  floor_ = now;
  if (readAt_ && *readAt_ <= now) {
    const Duration elapsed = now - *readAt_;
    const auto moved = offset > offset_ ? offset - offset_ : offset_ - offset;
    trusted_ = moved <= kStepSlack + elapsed * kDriftPpm / 1'000'000;
    floor_ = *readAt_;
  }
  readAt_ = now;
  offset_ = offset;
  now_ = now;
  realNow_ = realNow;
  previous_ = floor_;
}

TimePoint ArrivalDating::date(std::optional<std::chrono::nanoseconds> received) {
  TimePoint arrival = now_;
  if (trusted_ && received) {
    arrival =
        std::clamp(now_ - std::chrono::duration_cast<Duration>(realNow_ - *received), floor_, now_);
  }
  arrival = std::max(arrival, previous_);
  previous_ = arrival;
  return arrival;
}

}  // namespace vigil::vrrp
