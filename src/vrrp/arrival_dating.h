#pragma once

#include <chrono>
#include <optional>

#include "core/clock.h"

namespace vigil::vrrp {

// Dates the adverts a drain of the quiet socket reads (see AdvertBacklog)
// in loop time. The kernel stamps each with the system clock
// (SO_TIMESTAMPNS); the loop clock and the system clock read together at
// the drain convert the stamp. Pure: the socket passes in both readings.
//
// Dating an advert too early can make a backup take over from a healthy
// master (its Master_Down_Timer is re-armed from an instant already past);
// dating it too late only delays a takeover, by at most one
// Master_Down_Interval. So whenever the stamps cannot be trusted every
// advert of the drain is dated at the drain itself:
//   - the system clock was stepped (its offset to the loop clock moved by
//     more than kStepSlack plus kDriftPpm of the time since the last
//     reading), or there is no earlier reading;
//   - the socket dropped adverts (its buffer overflowed: the dropped ones
//     are the newest, so the last one read is not the master's last).
// Otherwise each advert is dated from its stamp, kept between the last
// reading and the drain and never before the advert read before it.
class ArrivalDating {
 public:
  static constexpr std::chrono::nanoseconds kStepSlack = std::chrono::milliseconds(2);
  static constexpr int64_t kDriftPpm = 500;

  // The quiet socket starts to queue adverts (it had no rule): nothing
  // queued from here on arrived before `now`.
  void restart(TimePoint now, std::chrono::nanoseconds realNow);
  // A drain begins with these readings; adverts read until the next
  // beginDrain are dated from them.
  void beginDrain(TimePoint now, std::chrono::nanoseconds realNow);
  // The socket dropped adverts: the rest of this drain is dated at now.
  void distrust() { trusted_ = false; }
  // The loop time of the next advert read, stamped `received` (system
  // clock; nullopt without a stamp).
  TimePoint date(std::optional<std::chrono::nanoseconds> received);
  bool trusted() const { return trusted_; }

 private:
  std::optional<TimePoint> readAt_;    // the last reading's loop time
  std::chrono::nanoseconds offset_{};  // system minus loop clock then
  TimePoint floor_{};                  // no advert of this drain is dated before it
  TimePoint now_{};
  std::chrono::nanoseconds realNow_{};
  TimePoint previous_{};  // the last advert dated
  bool trusted_ = false;
};

}  // namespace vigil::vrrp
