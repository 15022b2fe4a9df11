#include "vrrp/vip_refresh_schedule.h"

#include <algorithm>

namespace vigil::vrrp {

VipRefreshSchedule::VipRefreshSchedule(std::optional<Duration> lifetime, Duration advertInterval)
    : hasLifetime_(lifetime.has_value()) {
  if (!lifetime) return;
  const Duration third = *lifetime / 3;
  const Duration half = *lifetime / 2;
  ridesAdverts_ = advertInterval > Duration::zero() && advertInterval <= half;
  interval_ = ridesAdverts_ ? std::min(third, half - advertInterval) : third;
}

std::optional<TimePoint> VipRefreshSchedule::timerDeadline() const {
  if (!hasLifetime_ || ridesAdverts_ || !lastRenewal_) return std::nullopt;
  return *lastRenewal_ + interval_;
}

}  // namespace vigil::vrrp
