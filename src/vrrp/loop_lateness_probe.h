#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/clock.h"
#include "core/event_loop.h"

namespace vigil::vrrp {

// How late the VRRP worker's loop runs a timer past its deadline: a probe
// timer armed for a deadline every `period`, and when it runs, the delay
// since that deadline goes into a histogram. A loop busy with a long
// callback (a slow netlink reply, a scrape) delays every VRRP timer the same
// way, so this is the lateness the instances' timers see. One timer and a
// few additions per period: the cost stays far below a VRRP advert's.
class LoopLatenessProbe {
 public:
  // Upper bounds in seconds, as Prometheus' `le` labels; one more bucket
  // (+Inf) counts the rest.
  static constexpr std::array<double, 7> kBounds = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
  static constexpr Duration kPeriod = std::chrono::milliseconds(250);

  explicit LoopLatenessProbe(EventLoop& loop);

  // Observations at or below kBounds[i] (cumulative, as Prometheus wants).
  std::array<uint64_t, kBounds.size()> cumulative() const;
  uint64_t count() const { return count_; }
  double sumSeconds() const { return sumSeconds_; }

  // Records one lateness; the probe calls it, tests may too.
  void observe(Duration lateness);

 private:
  void fired();

  EventLoop& loop_;
  std::unique_ptr<Timer> timer_;
  TimePoint deadline_;
  std::array<uint64_t, kBounds.size()> buckets_{};  // per bucket, not cumulative
  uint64_t count_ = 0;
  double sumSeconds_ = 0;
};

}  // namespace vigil::vrrp
