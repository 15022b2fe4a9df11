#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "check/checker.h"
#include "check/probe_factory.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// The fast checker timing the check integration tests run at, so a test's
// bound on a state change follows from one place: an attempt every 200 ms,
// 500 ms to connect, one retry 100 ms later.
namespace vigil::test {

inline constexpr std::chrono::milliseconds kFastDelayLoop{200};
inline constexpr std::chrono::milliseconds kFastConnectTimeout{500};
inline constexpr std::chrono::milliseconds kFastDelayBeforeRetry{100};
inline constexpr uint32_t kFastRetry = 1;

// The longest a state change may take to be seen: the next attempt, then
// every retry timing out (each also taking `perAttempt` beyond
// connect_timeout), plus `slack` for a loaded CI machine.
constexpr std::chrono::milliseconds fastFlipBound(std::chrono::milliseconds slack,
                                                  std::chrono::milliseconds perAttempt = {}) {
  return kFastDelayLoop + (kFastRetry + 1) * (kFastConnectTimeout + perAttempt) +
         kFastRetry * kFastDelayBeforeRetry + slack;
}

// A `type` checker of `address`:`port` at the fast timing, alpha (down
// until its first success); the caller sets its probe.
inline config::Checker fastChecker(config::CheckerType type, std::string_view address,
                                   uint16_t port) {
  config::Checker c;
  c.base.type = type;
  c.base.delayLoop = kFastDelayLoop;
  c.base.connectTimeout = kFastConnectTimeout;
  c.base.delayBeforeRetry = kFastDelayBeforeRetry;
  c.base.retry = kFastRetry;
  c.base.alpha = true;
  c.target.address = *IpAddress::parse(address);
  c.target.port = port;
  return c;
}

// Makes `c` on `loop` without start-up jitter and starts it; never null.
// When the factory refuses `c` it throws instead of returning null, so the
// callers' `*checker` is never a null dereference: GoogleTest catches the
// exception, fails that one test with makeChecker's error and runs the
// fixture's TearDown, and the rest of the binary carries on.
inline std::unique_ptr<check::Checker> startChecker(EventLoop& loop, const config::Checker& c,
                                                    const check::ProbeDeps& deps) {
  auto made = check::makeChecker(loop, c, deps, [](Duration) { return Duration::zero(); });
  if (!made.ok()) {
    throw std::runtime_error("makeChecker: " + made.error().describe());
  }
  std::unique_ptr<check::Checker> checker = std::move(*made);
  checker->start();
  return checker;
}

}  // namespace vigil::test
