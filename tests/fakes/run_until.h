#pragma once

#include <chrono>
#include <functional>

#include "core/posix_event_loop.h"

namespace vigil::fakes {

// Turns a real loop until `done` holds or `limit` of real time passes, so a
// broken test fails instead of hanging. Returns whether `done` held.
inline bool runUntil(PosixEventLoop& loop, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      return false;
    }
    loop.runOnce(std::min<Duration>(left, std::chrono::milliseconds(50)));
  }
  return true;
}

}  // namespace vigil::fakes
