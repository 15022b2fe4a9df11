#include "check/misc_probe.h"

#include <fmt/format.h>
#include <sys/wait.h>

namespace vigil::check {

MiscProbe::MiscProbe(EventLoop& loop, ProcessSpawner& spawner, SpawnRequest command,
                     Duration timeout, bool dynamic)
    : loop_(loop), spawner_(spawner), command_(std::move(command)), dynamic_(dynamic) {
  command_.timeout = timeout;
}

MiscProbe::~MiscProbe() { abort(AbortReason::Stopped); }

ProbeResult MiscProbe::interpret(int status, bool timedOut, bool dynamic) {
  if (timedOut) {
    return ProbeResult{Outcome::ScriptTimeout, std::nullopt, "killed after misc_timeout"};
  }
  if (WIFSIGNALED(status)) {
    return ProbeResult{Outcome::ScriptExit, std::nullopt,
                       fmt::format("killed by signal {}", WTERMSIG(status))};
  }
  int code = WEXITSTATUS(status);
  if (code == 0) {
    return ProbeResult{Outcome::Up, std::nullopt, "exit status 0"};
  }
  if (code >= 2 && dynamic) {
    return ProbeResult{Outcome::Up, static_cast<uint32_t>(code - 2),
                       fmt::format("exit status {}", code)};
  }
  return ProbeResult{Outcome::ScriptExit, std::nullopt, fmt::format("exit status {}", code)};
}

void MiscProbe::start(Done done) {
  abort(AbortReason::Stopped);  // at most one attempt: a stray earlier child is not ours anymore
  uint64_t attempt = ++attempt_;
  done_ = std::move(done);
  auto pid = spawner_.spawn(
      command_, [this, alive = std::weak_ptr<int>(alive_), attempt](const ChildExit& exit) {
        if (!alive.expired()) {
          exited(attempt, exit);
        }
      });
  if (!pid) {
    ProbeResult failed{Outcome::Internal, std::nullopt, pid.error().describe()};
    loop_.post([this, alive = std::weak_ptr<int>(alive_), attempt, failed] {
      if (!alive.expired() && attempt == attempt_ && done_) {
        auto done = std::move(done_);
        done_ = nullptr;
        done(failed);
      }
    });
    return;
  }
  child_ = *pid;
}

void MiscProbe::exited(uint64_t attempt, const ChildExit& exit) {
  if (attempt != attempt_ || !done_) {
    return;  // an aborted attempt's child, reaped late
  }
  child_ = 0;
  auto done = std::move(done_);
  done_ = nullptr;
  done(interpret(exit.status, exit.timedOut, dynamic_));
}

// Either reason kills the script: the checker counts a timeout itself
// (ScriptTimeout).
void MiscProbe::abort(AbortReason /*reason*/) {
  ++attempt_;
  done_ = nullptr;
  if (child_ != 0) {
    spawner_.terminate(child_);
    child_ = 0;
  }
}

}  // namespace vigil::check
