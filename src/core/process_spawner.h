#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/result.h"

namespace vigil {

class PosixEventLoop;

// The account a script runs as, resolved from script_user / `user U [G]`.
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  bool operator==(const RunAs&) const = default;
};

struct SpawnRequest {
  std::vector<std::string> argv;    // argv[0] is looked up in PATH
  std::optional<Duration> timeout;  // killed (and reported timedOut) after it
  std::optional<RunAs> runAs;       // switched to in the child when we are root
};

// Starts a process without waiting for it; `onExit` runs on the loop once
// it has been reaped. Scripts and notifiers take this interface so tests can
// substitute a fake and drive exits by hand on a SimulatedLoop.
class ProcessSpawner {
 public:
  virtual ~ProcessSpawner() = default;
  virtual Result<pid_t> spawn(const SpawnRequest& request, EventLoop::ChildCallback onExit) = 0;
  // Asks a child this spawner started to stop (SIGTERM); it is still
  // reaped and its onExit still runs.
  virtual void terminate(pid_t pid) = 0;
};

// Forks and execs on a PosixEventLoop, which reaps the child and enforces
// the timeout (SIGTERM, then SIGKILL).
class PosixProcessSpawner final : public ProcessSpawner {
 public:
  explicit PosixProcessSpawner(PosixEventLoop& loop) : loop_(loop) {}
  Result<pid_t> spawn(const SpawnRequest& request, EventLoop::ChildCallback onExit) override;
  void terminate(pid_t pid) override;

 private:
  PosixEventLoop& loop_;
};

}  // namespace vigil
