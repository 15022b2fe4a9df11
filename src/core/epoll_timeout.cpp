#include "core/epoll_timeout.h"

#include <algorithm>

namespace vigil {

Duration epollTimeoutFor(Duration remaining, Duration threadSlack, int64_t slackDivisor) {
  if (remaining <= Duration{0}) return Duration{0};
  if (threadSlack <= Duration{0}) return remaining;
  // With d the divisor, t' = remaining - ceil(remaining / (d + 1)) gives
  // t' + floor(t' / d) <= remaining, within a nanosecond of it.
  const Duration proportional{(remaining.count() + slackDivisor) / (slackDivisor + 1)};
  const Duration slack = std::max(proportional, threadSlack);
  if (slack >= remaining) return remaining;
  return remaining - slack;
}

}  // namespace vigil
