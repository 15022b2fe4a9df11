#pragma once

namespace vigil::vrrp {

// Where a socket keeps the routine adverts (see RoutineAdvert) it has not
// woken vigil for: a quiet Backup's instance drains it before it decides
// anything, so every advert is still handled, in arrival order, before
// the event that follows it (a Master_Down_Timer running out, a tracking
// change, a reload, a prompt advert).
class AdvertBacklog {
 public:
  virtual ~AdvertBacklog() = default;
  // Hands every queued advert to its instance, oldest first, each with
  // the time it arrived. Re-entry (from an instance the drain feeds) is a
  // no-op.
  virtual void drain() = 0;
  // An instance's routineAdvert() changed: which adverts may queue changes
  // with it.
  virtual void routineChanged() = 0;
};

}  // namespace vigil::vrrp
