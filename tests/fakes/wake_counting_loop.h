#pragma once

#include <iterator>
#include <memory>
#include <set>

#include "core/event_loop.h"
#include "core/simulated_loop.h"

namespace vigil::fakes {

// A SimulatedLoop that counts wake-ups: the distinct instants at which any
// timer fired (timers due at the same instant share one loop turn), for
// tests that hold a component to a number of wake-ups rather than only to
// what it does.
class WakeCountingLoop final : public EventLoop {
 public:
  TimePoint now() const override { return loop_.now(); }
  std::unique_ptr<Timer> createTimer(Callback cb) override {
    return loop_.createTimer([this, cb = std::move(cb)] {
      wakeups_.insert(loop_.now());
      cb();
    });
  }
  // Not counted: an attached timer's fire() is its own (no vigil component
  // this loop's tests run keeps one).
  void attachTimer(TimerEntry& timer) override { loop_.attachTimer(timer); }
  std::unique_ptr<FdWatch> watchFd(int fd, uint32_t events, FdCallback cb) override {
    return loop_.watchFd(fd, events, std::move(cb));
  }
  void post(Callback cb) override { loop_.post(std::move(cb)); }

  void advance(Duration d) { loop_.advance(d); }
  size_t wakeupsSince(TimePoint from) const {
    return static_cast<size_t>(std::distance(wakeups_.lower_bound(from), wakeups_.end()));
  }

 private:
  SimulatedLoop loop_;
  std::set<TimePoint> wakeups_;
};

}  // namespace vigil::fakes
