#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/channel.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/snapshot_patch.h"
#include "core/unique_fd.h"

namespace vigil {

// What a worker (VRRP, checkers) does, whether it has a process of its own
// or runs inside the supervisor (--single-process).
class Worker {
 public:
  virtual ~Worker() = default;
  // A JSON object describing the worker's state, sent to the supervisor.
  virtual std::string snapshot() const = 0;
  // A worker whose snapshot is large sends it as slots (core/snapshot_patch.h):
  // every slot when `full` (or when it decides so itself, e.g. after a reload
  // changed its layout), else the slots changed since the last patch it built.
  // The concatenated slots are snapshot()'s text. nullopt: this worker sends
  // snapshot() whole.
  virtual std::optional<SnapshotPatchBuilder> snapshotPatch(bool full) {
    (void)full;
    return std::nullopt;
  }
  // The supervisor accepted configuration generation `generation`.
  virtual void reload(uint64_t generation) = 0;
};

// Builds a worker on the loop it will run on.
using WorkerFactory = std::function<std::unique_ptr<Worker>(EventLoop& loop)>;

// Decides how a worker's snapshot travels. Wire contract: a Snapshot carries
// the full JSON text; a Heartbeat (empty payload) means "my snapshot is
// byte-for-byte the last Snapshot I sent on this channel", and the supervisor
// treats it as that snapshot arriving again (liveness and /healthz age). A
// check worker's snapshot is megabytes at 1,000 services and rarely changes,
// so resending and reparsing it every second cost most of an idle CPU.
//
// It remembers the last text sent by its length and a 64-bit hash, not the
// text itself: at 20,000 real servers a kept copy was 8.4 MB of the check
// worker's RSS. Two different texts of the same length whose hashes collide
// (odds about 2^-64 per change) would be taken as unchanged; the supervisor
// would then show the earlier text until the next change, which the check
// worker's snapshot makes within kSnapshotMaxAge (its counters move).
class SnapshotDeduplicator {
 public:
  struct Fingerprint {
    size_t size = 0;
    size_t hash = 0;
    bool operator==(const Fingerprint&) const = default;
  };
  // Hashes every byte of `text`: a few ms for a megabytes-long snapshot, so
  // a caller that needs both unchanged() and remember() for one text
  // computes it once and passes it to both.
  static Fingerprint fingerprint(std::string_view text);

  // True when `text` is the last text remembered: send a Heartbeat.
  bool unchanged(const Fingerprint& text) const { return sent_ && *sent_ == text; }
  // `text` was accepted for sending as a Snapshot. A refused send is not
  // remembered: the peer keeps, and we compare against, the last text that
  // did go out.
  void remember(const Fingerprint& text) { sent_ = text; }

 private:
  std::optional<Fingerprint> sent_;
};

// The worker's end of the supervisor channel: says Hello, sends a Snapshot
// every snapshotInterval (the supervisor's heartbeat; a Heartbeat message
// instead while the text is unchanged, see SnapshotDeduplicator), applies
// Reload, and calls onStop when told to Stop or when the supervisor goes away.
// The first snapshot on a channel always goes in full. A worker that builds
// patches (Worker::snapshotPatch) sends a SnapshotPatch instead: full first,
// after a send failed, after a reload and when the supervisor asks (Resync),
// then only the changed slots; a Heartbeat when none changed. A patch of
// several frames goes one frame each time the channel's queue drains, so it
// never meets the queue limit however many slots it carries, and no new patch
// is built until its last frame is out.
class WorkerHost {
 public:
  WorkerHost(EventLoop& loop, UniqueFd channelFd, std::string name, std::unique_ptr<Worker> worker,
             Duration snapshotInterval, std::function<void()> onStop);
  ~WorkerHost();

  Worker& worker() { return *worker_; }
  const Channel& channel() const { return channel_; }
  void sendSnapshot();

 private:
  void onMessage(const Message& message);
  // Sends the worker's patch; false when the worker does not build them.
  bool sendPatch();
  // Sends frames of the patch under way while the channel's queue is empty.
  void sendPendingFrames();
  // Drops the rest of the patch under way: the next one is full.
  void abandonPatch();

  EventLoop& loop_;
  std::string name_;
  std::unique_ptr<Worker> worker_;
  Duration snapshotInterval_;
  std::function<void()> onStop_;
  Channel channel_;
  std::unique_ptr<Timer> snapshotTimer_;
  SnapshotDeduplicator deduplicator_;
  // The supervisor may not hold this worker's slots: the next patch is full.
  bool fullPatchDue_ = true;
  bool buildsPatches_ = true;  // false once the worker answers snapshotPatch() with none
  // Frames of the patch under way the channel has not taken yet.
  std::deque<std::string> pendingFrames_;
};

// The main of a worker process: its own PosixEventLoop with SIGTERM/SIGINT
// stopping it, a WorkerHost on channelFd, run until stopped. Returns the exit
// status.
int runWorkerProcess(const std::string& name, const WorkerFactory& factory, UniqueFd channelFd,
                     Duration snapshotInterval);

// `text` as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view text);

}  // namespace vigil
