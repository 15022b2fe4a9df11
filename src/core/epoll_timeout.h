#pragma once

#include <cstdint>

#include "core/clock.h"

namespace vigil {

// The share of a timed wait that Linux takes as slack is t / divisor, the
// divisor being 1000 (0.1 %), or 200 (0.5 %) for a thread with nice > 0
// (fs/select.c, __estimate_accuracy).
constexpr int64_t kSlackDivisor = 1000;
constexpr int64_t kNiceSlackDivisor = 200;

// The divisor for a thread of this nice value (getpriority(PRIO_PROCESS, 0)).
constexpr int64_t slackDivisorForNice(int nice) {
  return nice > 0 ? kNiceSlackDivisor : kSlackDivisor;
}

// The timeout to give epoll_pwait2 so that the wait ends by `remaining`
// from now, not after it.
//
// Linux ends a timed epoll wait of t anywhere from t to t + slack, where
// slack is the larger of the thread's timer slack (PR_GET_TIMERSLACK) and
// t / slackDivisor, truncated to whole nanoseconds; realtime threads get
// none (pass 0). With no other interrupt in that window the wait ends at its
// far end, so asking for `remaining` would make every deadline late by the
// slack (10 us for a 10 ms VRRP advert, 1 ms for a 1 s one; five times that
// at nice > 0). The result t' is the largest whose far end is at most
// `remaining`: t' + max(threadSlack, t' / slackDivisor) <= remaining. A wait
// can then end up to that slack early; the loop finds nothing due and waits
// again for what is left.
//
// When the slack alone exceeds what is left, the wait cannot end both not
// early and not late: it asks for `remaining` (late by at most the slack).
// A deadline already passed gives 0 (poll).
Duration epollTimeoutFor(Duration remaining, Duration threadSlack, int64_t slackDivisor);

}  // namespace vigil
