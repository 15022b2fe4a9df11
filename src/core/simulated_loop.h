#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/timer_entry.h"
#include "core/timer_queue.h"

namespace vigil {

// An EventLoop whose time moves only when a test says so, so timing logic is
// tested without sleeping. Timers fire from advance() in deadline order (ties
// in arming order) with the clock set to each timer's deadline as it fires;
// posted callbacks run before the next timer. Fd watches are only recorded:
// a test delivers readiness by hand with fire().
class SimulatedLoop final : public EventLoop {
 public:
  explicit SimulatedLoop(TimePoint start = TimePoint{std::chrono::hours(1)});
  ~SimulatedLoop() override;

  TimePoint now() const override { return clock_.now(); }
  std::unique_ptr<Timer> createTimer(Callback cb) override;
  std::unique_ptr<Timer> createStampedTimer(StampedCallback cb) override;
  void attachTimer(TimerEntry& timer) override { timers_.attach(timer); }
  std::unique_ptr<FdWatch> watchFd(int fd, uint32_t epollEvents, FdCallback cb) override;
  void post(Callback cb) override;

  // The loop's clock, for components that take a `const Clock&`.
  const Clock& clock() const { return clock_; }

  // Moves time forward by `d`, firing every timer that falls due on the way
  // (including ones armed by callbacks during the advance).
  void advance(Duration d);
  void advanceTo(TimePoint t);
  // The loop is busy (starved) for `d`: the clock moves on and nothing
  // fires; what fell due meanwhile fires late on the next advance(), in
  // deadline order, with the clock as it is then.
  void stall(Duration d) { clock_.advance(d); }
  // Runs posted callbacks, including ones they post, until none is left.
  void runPosted();

  // Delivers `epollEvents` to the watch on `fd`, then runs posted
  // callbacks. Returns false when nothing watches fd.
  bool fire(int fd, uint32_t epollEvents);
  // The events a live watch on fd asked for; nullopt when fd is not watched.
  std::optional<uint32_t> watchedEvents(int fd) const;
  // Every fd a live watch is on, ascending, once each: what a test delivers
  // real readiness for when it does not know which component owns a socket.
  std::vector<int> watchedFds() const;

  std::optional<TimePoint> nextDeadline() const { return timers_.nextDeadline(); }
  size_t armedTimers() const { return timers_.armedCount(); }

 private:
  class Watch;

  ManualClock clock_;
  TimerQueue timers_{clock_};
  std::deque<Callback> posted_;
  std::multimap<int, Watch*> watches_;
};

}  // namespace vigil
