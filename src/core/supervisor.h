#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel.h"
#include "core/clock.h"
#include "core/posix_event_loop.h"
#include "core/restart_backoff.h"
#include "core/shared_text.h"
#include "core/snapshot_patch.h"
#include "core/staged_stop.h"
#include "core/worker_host.h"

namespace vigil {

struct WorkerSpec {
  std::string name;  // "vrrp", "check"; also the process name suffix
  WorkerFactory factory;
};

struct SupervisorOptions {
  // --single-process: workers run on the supervisor's loop, no fork.
  bool inProcess = false;
  BackoffPolicy backoff;
  // After SIGTERM, how long workers get before SIGKILL (counted again from
  // each stop stage's SIGTERM).
  Duration stopTimeout = std::chrono::seconds(5);
  // Workers stopped first on stop(): the others get SIGTERM only once these
  // have exited, or after stopFirstTimeout (vigild: {"vrrp"}, so its VIPs go
  // before the check worker removes the IPVS services behind them).
  std::vector<std::string> stopFirst;
  Duration stopFirstTimeout = std::chrono::seconds(3);
  // A worker that closed its channel but is still alive after this is killed
  // (it can no longer be supervised); its respawn follows.
  Duration silentWorkerGrace = std::chrono::seconds(5);
  Duration snapshotInterval = std::chrono::seconds(1);
  // Runs on the loop, after the read that completed it, each time a worker's
  // full snapshot patch has replaced its text (at start, after a reload or a
  // Resync). The frames and the text growing as they arrive (megabytes at
  // thousands of real servers) are carved from whatever free space the
  // heap has, so its free pages are resident again once they are freed:
  // vigild hands them back here (check::returnFreeHeap). Unset: nothing.
  std::function<void()> afterFullSnapshot;
};

// What the supervisor knows about one worker (for /healthz and logs).
struct WorkerStatus {
  std::string name;
  pid_t pid = 0;  // the supervisor's own pid in-process; 0 while not running
  bool running = false;
  uint32_t restarts = 0;
  std::optional<int> lastExitStatus;  // waitpid status of the last exit
  // JSON from the worker, shared: copying a WorkerStatus (every request
  // does) copies no text.
  SharedText lastSnapshot;
  std::optional<TimePoint> startedAt;
  std::optional<TimePoint> lastHeard;       // any message counts as a heartbeat
  std::optional<TimePoint> lastSnapshotAt;  // when lastSnapshot arrived
  // Bytes from the worker wait unread on its channel: it spoke after
  // lastHeard, and lastHeard is stale because the supervisor's loop has not
  // had its turn yet (it stalled), not because the worker went quiet.
  bool messageWaiting = false;
  // Snapshot patches that did not apply (each logged as an Error), and the
  // Resyncs sent for them: at most one per channel until a full snapshot
  // applies, so a worker that cannot send one is never asked in a loop.
  uint32_t patchesRefused = 0;
  uint32_t resyncsAsked = 0;
};

// The process model of DESIGN.md: forks one process per worker, each bound
// to the supervisor by a socketpair Channel and by PDEATHSIG (SIGTERM), so
// workers never outlive it. A worker that dies is respawned after a
// RestartBackoff delay. stop() sends SIGTERM in StagedStop order (the
// stopFirst workers, then the rest), then SIGKILL after stopTimeout. Forking happens from the
// loop's thread; start no threads before the workers are up.
class Supervisor {
 public:
  // Runs after a worker starts and after one exits.
  using Observer = std::function<void(const WorkerStatus&)>;

  Supervisor(PosixEventLoop& loop, std::vector<WorkerSpec> workers, SupervisorOptions options = {});
  // Kills (SIGKILL) and reaps workers still running.
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  void setObserver(Observer observer) { observer_ = std::move(observer); }

  // Starts every worker. A worker whose fork fails is retried with backoff;
  // the error is returned for the log.
  Status start();
  // Forwards a reload to every running worker.
  void reload(uint64_t generation);
  // Stops every worker; onStopped runs on the loop once all have exited.
  void stop(std::function<void()> onStopped);
  bool stopping() const { return stopping_; }

  std::vector<WorkerStatus> status() const;

 private:
  struct Slot;

  Status spawn(Slot& slot);
  Status spawnProcess(Slot& slot, UniqueFd mine, UniqueFd theirs);
  void spawnInProcess(Slot& slot, UniqueFd mine, UniqueFd theirs);
  void attachChannel(Slot& slot, UniqueFd mine);
  void onMessage(Slot& slot, const Message& message);
  // Applies a SnapshotPatch to the worker's lastSnapshot; one that does not
  // apply is logged and the worker asked to send its snapshot in full.
  void onPatch(Slot& slot, std::string_view payload);
  // Counts and logs a patch that did not apply, keeps the text and asks the
  // worker for its full snapshot (once until one applies).
  void refusePatch(Slot& slot, const Error& error);
  void onChannelClosed(Slot& slot, const Error& reason);
  void onExit(Slot& slot, const ChildExit& exit);
  void scheduleRespawn(Slot& slot, Duration ranFor);
  void stopWorker(size_t index);
  void finishStopIfDone();
  void notify(const Slot& slot);

  PosixEventLoop& loop_;
  SupervisorOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Observer observer_;
  bool stopping_ = false;
  std::function<void()> onStopped_;
  std::unique_ptr<Timer> stopTimer_;
  StagedStop stagedStop_;
};

}  // namespace vigil
