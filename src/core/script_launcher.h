#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.h"
#include "core/log.h"
#include "core/process_spawner.h"
#include "core/result.h"

namespace vigil {

struct ScriptCounters {
  uint64_t scriptsStarted = 0;
  uint64_t scriptsFailed = 0;  // non-zero exit or killed
  uint64_t spawnErrors = 0;
  uint64_t refused = 0;  // account unknown or refused by enable_script_security
};

// Starts notify scripts (VRRP's and the checkers') without waiting for
// them: counts what happened to each and logs failures at a limited rate.
// Long-lived children handed to keepUntilDestroyed() (the *_notify_fifo
// scripts) are SIGTERMed when the launcher goes; exits reported after
// that are ignored.
class ScriptLauncher {
 public:
  // `spawner` null: nothing runs, every launch counts as a spawn error.
  ScriptLauncher(EventLoop& loop, ProcessSpawner* spawner) : loop_(loop), spawner_(spawner) {}
  ~ScriptLauncher();
  ScriptLauncher(const ScriptLauncher&) = delete;
  ScriptLauncher& operator=(const ScriptLauncher&) = delete;

  // `what` (the configured command) may not run: counted and logged.
  void refuse(std::string_view what, const Error& why);
  // The child's pid, or nullopt when it could not start (counted, logged).
  std::optional<pid_t> launch(SpawnRequest request, std::string what);
  void keepUntilDestroyed(pid_t pid) { longLived_.push_back(pid); }

  const ScriptCounters& counters() const { return counters_; }

 private:
  EventLoop& loop_;
  ProcessSpawner* spawner_;
  ScriptCounters counters_;
  std::vector<pid_t> longLived_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  RateLimitedLog failureLog_{5, std::chrono::seconds(60)};
};

}  // namespace vigil
