#pragma once

#include <chrono>

#include "core/clock.h"

namespace vigil {

struct BackoffPolicy {
  Duration initial = std::chrono::milliseconds(100);
  Duration maximum = std::chrono::seconds(10);
  // A worker that ran at least this long before dying counts as healthy: the
  // next respawn starts again from `initial`.
  Duration stableAfter = std::chrono::seconds(30);
};

// How long to wait before respawning a worker that died. Pure: the caller
// says how long the worker ran, so it is tested without a clock. Delays go
// initial, 2x, 4x, ... capped at maximum, and reset after a stable run.
class RestartBackoff {
 public:
  explicit RestartBackoff(BackoffPolicy policy = {}) : policy_(policy), next_(policy.initial) {}

  // The worker exited after running for `ranFor`; returns the delay before
  // it is started again.
  Duration onExit(Duration ranFor);
  void reset() { next_ = policy_.initial; }

 private:
  BackoffPolicy policy_;
  Duration next_;
};

}  // namespace vigil
