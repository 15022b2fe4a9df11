#include "core/epoll_timeout.h"

#include <algorithm>

namespace vigil {

Duration epollTimeoutFor(Duration remaining, Duration threadSlack) {
  if (remaining <= Duration{0}) return Duration{0};
  if (threadSlack <= Duration{0}) return remaining;
  // t' = remaining - ceil(remaining / 1001) gives t' + floor(t' / 1000) <=
  // remaining, within a nanosecond of it.
  const Duration proportional{(remaining.count() + 1000) / 1001};
  const Duration slack = std::max(proportional, threadSlack);
  if (slack >= remaining) return remaining;
  return remaining - slack;
}

}  // namespace vigil
