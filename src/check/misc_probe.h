#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>

#include "check/probe.h"
#include "core/event_loop.h"
#include "core/process_spawner.h"

// MISC_CHECK: each attempt runs the configured program as a child the loop
// reaps; the loop never waits on it.
namespace vigil::check {

class MiscProbe final : public Probe {
 public:
  // `command`: argv and account already resolved (misc_path, `user`), see
  // check/probe_factory.h. Its timeout is set to `timeout` (misc_timeout) so
  // the spawner escalates to SIGKILL for a script that ignores SIGTERM.
  // `dynamic`: misc_dynamic.
  MiscProbe(EventLoop& loop, ProcessSpawner& spawner, SpawnRequest command, Duration timeout,
            bool dynamic);
  ~MiscProbe() override;

  // Exit 0: Up. Exit 1: ScriptExit. Exit 2-255: Up with weight code - 2
  // under misc_dynamic, ScriptExit otherwise. Killed by a signal:
  // ScriptExit; by the spawner's timeout: ScriptTimeout. Failing to start:
  // Internal.
  void start(Done done) override;
  // Terminates the child (SIGTERM; the loop still reaps it) and forgets it.
  void abort(AbortReason reason) override;

  // How an exit status (waitpid's) reads as a result.
  static ProbeResult interpret(int status, bool timedOut, bool dynamic);

 private:
  void exited(uint64_t attempt, const ChildExit& exit);

  EventLoop& loop_;
  ProcessSpawner& spawner_;
  SpawnRequest command_;
  bool dynamic_;
  Done done_;
  pid_t child_ = 0;       // the attempt in flight; 0: none
  uint64_t attempt_ = 0;  // bumped by start() and abort(): late exits are dropped
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vigil::check
