#pragma once

#include <cstdint>
#include <functional>

#include "check/outcome.h"

// A probe is what a concrete checker does: one attempt against one target
// (connect, fetch a URL, run a script). Scheduling, retries, thresholds,
// the attempt's timeout and statistics belong to the checker base
// (check/checker.h), which owns one Probe per checker.
namespace vigil::check {

// Why the checker gives up on an attempt in flight. Only the checker knows:
// a probe cannot tell a timeout judged late (the checker's late-timeout
// grace) from a stop that happens to come after connect_timeout.
enum class AbortReason : uint8_t {
  Timeout,  // the attempt's time (connect_timeout, misc_timeout) ran out
  Stopped,  // the checker stopped first (reload, ha_suspend, shutdown)
};

class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;

  virtual ~Probe() = default;

  // Starts one attempt. `done` runs exactly once, on the loop, after start()
  // has returned (never from inside it), unless abort() is called first.
  // At most one attempt is in flight.
  virtual void start(Done done) = 0;

  // The checker gave up on the attempt in flight, for `reason`: release
  // sockets, kill a script, and never call its `done`. A no-op when nothing
  // is in flight.
  virtual void abort(AbortReason reason) = 0;
};

}  // namespace vigil::check
