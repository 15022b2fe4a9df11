#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/event_loop.h"

namespace vigil::vrrp {

// How late the VRRP worker's loop runs timers past their deadlines, as a
// histogram. A loop busy with a long callback (a slow netlink reply, a
// scrape) delays every VRRP timer the same way.
//
// Two ways to sample:
// - On its own, a probe timer armed every kPeriod; each run adds the delay
//   since its deadline.
// - Fed by the loop (feedFromLoop()): every timer the loop fires is one
//   sample (adverts, Master_Down, the worker's 1 s snapshot), so the figure
//   is the lateness the instances' own timers saw, not a proxy's. The probe
//   timer then only runs every kFedPeriod, a floor for a loop that fires
//   nothing else; it no longer wakes an idle worker 4 times a second.
class LoopLatenessProbe {
 public:
  // Upper bounds in seconds, as Prometheus' `le` labels; one more bucket
  // (+Inf) counts the rest.
  static constexpr std::array<double, 7> kBounds = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
  // kBounds as Durations, which observe() compares with: a lateness of n
  // ns is at or below bound b exactly when n <= b * 1e9 (each bound is a
  // whole number of ns, and n / 1e9 as a double is rounded from the
  // nearest side, away from any other bound), so the buckets are those the
  // seconds would give without a double per firing.
  static constexpr std::array<Duration, 7> kBoundDurations = {
      std::chrono::milliseconds(1),  std::chrono::milliseconds(5),   std::chrono::milliseconds(10),
      std::chrono::milliseconds(50), std::chrono::milliseconds(100), std::chrono::milliseconds(500),
      std::chrono::seconds(1)};
  static constexpr Duration kPeriod = std::chrono::milliseconds(250);
  static constexpr Duration kFedPeriod = std::chrono::seconds(5);

  explicit LoopLatenessProbe(EventLoop& loop);

  // Switches to the loop's reports: the returned callback takes the lateness
  // of each timer the loop fires (the probe's own included, which then adds
  // no sample of its own). Install it as the loop's lateness observer and
  // remove it before the probe goes.
  std::function<void(Duration)> feedFromLoop();

  // Observations at or below kBounds[i] (cumulative, as Prometheus wants).
  std::array<uint64_t, kBounds.size()> cumulative() const;
  uint64_t count() const { return count_; }
  double sumSeconds() const { return sumSeconds_; }

  // Records one lateness; the probe calls it, tests may too.
  void observe(Duration lateness);

 private:
  void fired();
  void armFrom(TimePoint now);

  EventLoop& loop_;
  std::unique_ptr<Timer> timer_;
  TimePoint deadline_;
  bool fed_ = false;
  std::array<uint64_t, kBounds.size()> buckets_{};  // per bucket, not cumulative
  uint64_t count_ = 0;
  double sumSeconds_ = 0;
};

}  // namespace vigil::vrrp
