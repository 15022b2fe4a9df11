#pragma once

#include <optional>

#include "core/clock.h"

namespace vigil::vrrp {

// When a MASTER renews its VIPs' lifetimes (valid_lft = preferred_lft =
// `lifetime`), so that a director killed outright loses them within about
// `lifetime` while a live one never lets them lapse.
//
// A MASTER is awake every Advertisement_Interval anyway to send its advert,
// so when that interval is at most lifetime/2 the renewal rides the advert's
// loop turn instead of waking the worker on a timer of its own: it is due
// min(lifetime/3, lifetime/2 - advertInterval) after the previous one and
// done at the first advert turn on or after that. Turns come at most
// advertInterval apart, so consecutive renewals are at most lifetime/2
// apart and every renewal leaves at least half the lifetime (plus the
// loop's own lateness, as with a timer). A longer advert interval could not
// keep that margin: the renewal then has its own timer, every lifetime/3.
// Pure: the runtime says when it renewed and asks what is due.
class VipRefreshSchedule {
 public:
  VipRefreshSchedule() = default;
  // `lifetime` nullopt: permanent VIPs, never renewed.
  VipRefreshSchedule(std::optional<Duration> lifetime, Duration advertInterval);

  bool ridesAdverts() const { return ridesAdverts_; }
  // The VIPs were (re)installed at `now`.
  void renewed(TimePoint now) { lastRenewal_ = now; }
  // A loop turn at `now` in which the instance stepped (a MASTER's advert
  // turn comes at least every Advertisement_Interval): whether the renewal
  // is due in it. Never in the turn that renewed already.
  bool dueInTurn(TimePoint now) const {
    return ridesAdverts_ && lastRenewal_ && now > *lastRenewal_ && now - *lastRenewal_ >= interval_;
  }
  // When the renewal's own timer must fire: only when it does not ride the
  // adverts and the VIPs have been installed.
  std::optional<TimePoint> timerDeadline() const;

 private:
  bool ridesAdverts_ = false;
  bool hasLifetime_ = false;
  Duration interval_{};  // from one renewal until the next is due
  std::optional<TimePoint> lastRenewal_;
};

}  // namespace vigil::vrrp
