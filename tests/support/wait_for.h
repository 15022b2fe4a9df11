#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

namespace vigil::test {

// Polls `cond` every 20 ms until it holds or `limit` passes; returns the
// time it took, or nullopt. Integration and interop tests watch real
// kernels and processes, so they wait on them with a bound instead of
// advancing a simulated clock.
inline std::optional<std::chrono::milliseconds> waitFor(std::chrono::milliseconds limit,
                                                        const std::function<bool()>& cond) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (cond()) {
      return elapsed;
    }
    if (elapsed > limit) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace vigil::test
