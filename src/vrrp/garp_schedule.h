#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/model_vrrp.h"
#include "core/clock.h"

namespace vigil::vrrp {

// When a MASTER sends gratuitous ARPs / unsolicited NAs for its VIPs. Pure:
// the caller passes the time, arms one timer at nextDue(), and on expiry
// sends takeDue(now) rounds (a round is one GARP or NA per VIP of the
// interface).
//
// keepalived's keywords, as this schedule reads them:
//   garp_master_repeat         rounds sent on becoming MASTER
//   garp_master_delay          a second set of garp_master_repeat rounds this
//                              long after becoming MASTER (0: no second set)
//   garp_master_refresh        while MASTER, every this long (0: never) ...
//   garp_master_refresh_repeat ... send this many rounds
//   garp_lower_prio_repeat     rounds sent when a lower-priority advert
//                              arrives while MASTER
//   garp_lower_prio_delay      a second set of them this long after it
//   vrrp_garp_interval / vrrp_gna_interval  spacing between rounds of one
//                              burst (0: all at once)
class GarpSchedule {
 public:
  // `interval` is garp_interval for IPv4 instances, gna_interval for IPv6.
  GarpSchedule(const config::GarpSettings& settings, Duration interval);

  // Starts the schedule afresh (the instance just became MASTER).
  void becomeMaster(TimePoint now);
  // A lower-priority advert arrived while MASTER: queue the lower-prio
  // bursts (keepalived's fix for a split brain that ended with the peer's
  // GARPs last on the wire).
  void lowerPriorityAdvert(TimePoint now);
  // Clears everything (left MASTER).
  void stop();
  // A reload changed the settings: bursts already queued stay as planned;
  // a MASTER plans its refresh afresh from `now` with the new period.
  void reconfigure(const config::GarpSettings& settings, Duration interval, TimePoint now);

  std::optional<TimePoint> nextDue() const;
  // Rounds due at or before now; they are consumed and the next refresh is
  // planned.
  uint32_t takeDue(TimePoint now);

 private:
  void addBurst(TimePoint start, uint32_t rounds);

  config::GarpSettings settings_;
  Duration interval_;
  std::vector<TimePoint> pending_;  // sorted
  std::optional<TimePoint> nextRefresh_;
  bool master_ = false;
};

}  // namespace vigil::vrrp
