#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "check/check_worker.h"
#include "config/loader.h"
#include "core/simulated_loop.h"

namespace vigil::test {

// The configuration generations a CheckWorker under test reads by number,
// as the supervisor's hand-off serves them: generation 1 is what start()
// loaded, N what reload(N, ...) did. After each, the loop runs what became
// due at once (a new checker's first attempt).
class CheckWorkerGenerations {
 public:
  static std::shared_ptr<const config::Config> load(const std::string& text) {
    auto r = config::loadConfigText("t.conf", text, config::LoadOptions{});
    EXPECT_NE(r.config, nullptr);
    return r.config;
  }

  std::unique_ptr<check::CheckWorker> start(SimulatedLoop& loop, const std::string& text,
                                            check::CheckWorkerIo io) {
    configs_[1] = load(text);
    auto worker = std::make_unique<check::CheckWorker>(
        loop, configs_[1], 1, [this](uint64_t g) { return configs_[g]; }, std::move(io));
    settle(loop);
    return worker;
  }

  // Drops generation `generation`, as the supervisor's hand-off does once a
  // worker has taken it; the pointer says whether anything still holds it.
  std::weak_ptr<const config::Config> forget(uint64_t generation) {
    std::weak_ptr<const config::Config> held = configs_.at(generation);
    configs_.erase(generation);
    return held;
  }

  void reload(SimulatedLoop& loop, check::CheckWorker& worker, uint64_t generation,
              const std::string& text) {
    configs_[generation] = load(text);
    worker.reload(generation);
    settle(loop);
  }

 private:
  static void settle(SimulatedLoop& loop) {
    loop.advance(Duration::zero());
    loop.runPosted();
  }

  std::map<uint64_t, std::shared_ptr<const config::Config>> configs_;
};

}  // namespace vigil::test
