#include "core/script_launcher.h"

#include <sys/wait.h>

namespace vigil {

ScriptLauncher::~ScriptLauncher() {
  *alive_ = false;
  for (pid_t pid : longLived_) {
    spawner_->terminate(pid);
  }
}

void ScriptLauncher::refuse(std::string_view what, const Error& why) {
  ++counters_.refused;
  failureLog_.log(loop_.now().time_since_epoch(), LogLevel::Error, "notify '{}' not run: {}", what,
                  why.describe());
}

std::optional<pid_t> ScriptLauncher::launch(SpawnRequest request, std::string what) {
  if (spawner_ == nullptr || request.argv.empty()) {
    ++counters_.spawnErrors;
    return std::nullopt;
  }
  std::weak_ptr<bool> alive = alive_;
  auto pid = spawner_->spawn(request, [this, alive, what](const ChildExit& exit) {
    if (alive.expired() || (WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0)) {
      return;
    }
    ++counters_.scriptsFailed;
    failureLog_.log(loop_.now().time_since_epoch(), LogLevel::Warning,
                    "notify '{}' failed (wait status {})", what, exit.status);
  });
  if (!pid) {
    ++counters_.spawnErrors;
    failureLog_.log(loop_.now().time_since_epoch(), LogLevel::Error, "notify '{}': {}", what,
                    pid.error().describe());
    return std::nullopt;
  }
  ++counters_.scriptsStarted;
  return *pid;
}

}  // namespace vigil
