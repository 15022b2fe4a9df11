#pragma once

#include "core/clock.h"

namespace vigil {

// The timeout to give epoll_pwait2 so that the wait ends by `remaining`
// from now, not after it.
//
// Linux ends a timed epoll wait of t anywhere from t to t + slack, where
// slack is the larger of the thread's timer slack (PR_GET_TIMERSLACK) and
// t / 1000, truncated to whole nanoseconds; realtime threads get none (pass
// 0). With no other interrupt in that window the wait ends at its far end,
// so asking for `remaining` would make every deadline late by the slack
// (10 us for a 10 ms VRRP advert, 1 ms for a 1 s one). The result t' is the
// largest whose far end is at most `remaining`: t' + max(threadSlack,
// t' / 1000) <= remaining. A wait can then end up to that slack early; the
// loop finds nothing due and waits again for what is left.
//
// When the slack alone exceeds what is left, the wait cannot end both not
// early and not late: it asks for `remaining` (late by at most the slack).
// A deadline already passed gives 0 (poll).
Duration epollTimeoutFor(Duration remaining, Duration threadSlack);

}  // namespace vigil
