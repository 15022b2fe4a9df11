#include "core/supervisor.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "core/log.h"
#include "core/process.h"

namespace vigil {
namespace {

long long toMs(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

struct Supervisor::Slot {
  WorkerSpec spec;
  WorkerStatus status;
  RestartBackoff backoff;
  std::unique_ptr<Channel> channel;
  std::unique_ptr<WorkerHost> inProcessHost;
  std::unique_ptr<Timer> respawnTimer;
  std::unique_ptr<Timer> silenceTimer;
  // The current channel has delivered a Snapshot, so a Heartbeat ("snapshot
  // unchanged") refers to text this worker process sent. Reset per channel:
  // a respawned worker's Heartbeat must not revive its predecessor's text.
  bool snapshotOnChannel = false;
  // Where each slot of a patching worker's snapshot lies in lastSnapshot.
  PatchedSnapshot patched;
  // A Resync went out on this channel and no full snapshot has applied since:
  // partial patches in flight build on text that was dropped, so they are
  // skipped (not refused again, which would ask for the ~8 MB text twice).
  bool resyncAsked = false;
};

Supervisor::Supervisor(PosixEventLoop& loop, std::vector<WorkerSpec> workers,
                       SupervisorOptions options)
    : loop_(loop),
      options_(options),
      stagedStop_(loop, options_.stopFirstTimeout, [this](size_t index) { stopWorker(index); }) {
  for (auto& spec : workers) {
    auto slot = std::make_unique<Slot>();
    slot->status.name = spec.name;
    slot->spec = std::move(spec);
    slot->backoff = RestartBackoff(options_.backoff);
    Slot* raw = slot.get();
    slot->respawnTimer = loop_.createTimer([this, raw] {
      ++raw->status.restarts;
      Status spawned = spawn(*raw);
      if (!spawned) {
        log(LogLevel::Error, "cannot respawn {} worker: {}", raw->spec.name,
            spawned.error().describe());
      }
    });
    slot->silenceTimer = loop_.createTimer([raw] {
      if (raw->status.running && raw->status.pid != ::getpid()) {
        log(LogLevel::Error, "{} worker (pid {}) stopped talking; killing it", raw->spec.name,
            raw->status.pid);
        ::kill(raw->status.pid, SIGKILL);
      }
    });
    slots_.push_back(std::move(slot));
  }
  stopTimer_ = loop_.createTimer([this] {
    for (size_t i = 0; i < slots_.size(); ++i) {
      // A worker of a later stage not told to stop yet (stopTimeout shorter
      // than stopFirstTimeout) gets its SIGTERM from StagedStop, not this.
      const auto& slot = slots_[i];
      if (slot->status.running && !options_.inProcess && stagedStop_.signalled(i)) {
        log(LogLevel::Warning, "{} worker (pid {}) ignored SIGTERM for {} ms; killing it",
            slot->spec.name, slot->status.pid, toMs(options_.stopTimeout));
        ::kill(slot->status.pid, SIGKILL);
      }
    }
  });
}

Supervisor::~Supervisor() {
  for (auto& slot : slots_) {
    slot->inProcessHost.reset();
    slot->channel.reset();
    if (slot->status.running && !options_.inProcess) {
      pid_t pid = slot->status.pid;
      loop_.unwatchChild(pid);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);  // SIGKILL cannot be ignored: bounded
    }
  }
}

Status Supervisor::start() {
  Status result;
  for (auto& slot : slots_) {
    Status spawned = spawn(*slot);
    if (!spawned && result) {
      result = spawned;
    }
  }
  return result;
}

Status Supervisor::spawn(Slot& slot) {
  auto pair = Channel::makePair();
  if (!pair) {
    scheduleRespawn(slot, Duration{0});
    return pair.error();
  }
  auto& [mine, theirs] = *pair;
  if (options_.inProcess) {
    spawnInProcess(slot, std::move(mine), std::move(theirs));
    return {};
  }
  return spawnProcess(slot, std::move(mine), std::move(theirs));
}

Status Supervisor::spawnProcess(Slot& slot, UniqueFd mine, UniqueFd theirs) {
  pid_t supervisorPid = ::getpid();
  int workerFd = theirs.get();
  const WorkerSpec* spec = &slot.spec;
  Duration interval = options_.snapshotInterval;
  auto pid = loop_.spawnChild(
      [spec, workerFd, supervisorPid, interval]() -> int {
        // If the supervisor died before PDEATHSIG was set, nobody would
        // ever stop this worker.
        if (!dieWithParent(SIGTERM, supervisorPid)) {
          return 1;
        }
        int fd = closeInheritedFds(workerFd);
        std::string title = "vigil-" + spec->name;
        ::prctl(PR_SET_NAME, title.c_str());
        return runWorkerProcess(spec->name, spec->factory, UniqueFd(fd), interval);
      },
      std::nullopt, [this, &slot](const ChildExit& exit) { onExit(slot, exit); });
  theirs.reset();
  if (!pid) {
    scheduleRespawn(slot, Duration{0});
    return pid.error();
  }
  slot.status.pid = *pid;
  slot.status.running = true;
  slot.status.startedAt = loop_.now();
  attachChannel(slot, std::move(mine));
  log(LogLevel::Info, "started {} worker, pid {}", slot.spec.name, *pid);
  notify(slot);
  return {};
}

void Supervisor::spawnInProcess(Slot& slot, UniqueFd mine, UniqueFd theirs) {
  attachChannel(slot, std::move(mine));
  slot.inProcessHost =
      std::make_unique<WorkerHost>(loop_, std::move(theirs), slot.spec.name,
                                   slot.spec.factory(loop_), options_.snapshotInterval, [] {});
  slot.status.pid = ::getpid();
  slot.status.running = true;
  slot.status.startedAt = loop_.now();
  log(LogLevel::Info, "started {} worker in-process", slot.spec.name);
  notify(slot);
}

void Supervisor::attachChannel(Slot& slot, UniqueFd mine) {
  slot.snapshotOnChannel = false;
  slot.resyncAsked = false;
  slot.patched.reset();
  slot.channel = std::make_unique<Channel>(
      loop_, std::move(mine), [this, &slot](const Message& m) { onMessage(slot, m); },
      [this, &slot](const Error& reason) { onChannelClosed(slot, reason); });
}

void Supervisor::onMessage(Slot& slot, const Message& message) {
  slot.status.lastHeard = loop_.now();
  switch (message.type) {
    case MessageType::Hello:
      log(LogLevel::Debug, "{} worker says hello: {}", slot.spec.name, message.payload);
      return;
    case MessageType::Snapshot:
      slot.status.lastSnapshot = message.payload;
      slot.status.lastSnapshotAt = slot.status.lastHeard;
      slot.snapshotOnChannel = true;
      slot.resyncAsked = false;
      slot.patched.reset();
      return;
    case MessageType::SnapshotPatch:
      onPatch(slot, message.payload);
      return;
    case MessageType::Heartbeat:
      // A worker sends every frame of a full patch before anything else: one
      // still missing slots now never completes.
      if (slot.patched.assembling()) {
        refusePatch(slot, Error{EPROTO,
                                "snapshot patch: a heartbeat ended a full patch "
                                "before its last slot"});
        return;
      }
      // The worker's snapshot text is unchanged (WorkerHost): the text kept
      // is current, as if it had just arrived again.
      if (slot.snapshotOnChannel) {
        slot.status.lastSnapshotAt = slot.status.lastHeard;
      }
      return;
    default:
      log(LogLevel::Debug, "ignoring {} message from {} worker", messageTypeName(message.type),
          slot.spec.name);
  }
}

void Supervisor::onPatch(Slot& slot, std::string_view payload) {
  Result<SnapshotPatchView> patch = decodeSnapshotPatch(payload);
  if (patch && !patch->full && slot.resyncAsked && !slot.patched.assembling()) {
    log(LogLevel::Debug, "{} worker: skipping a partial patch until its full snapshot arrives",
        slot.spec.name);
    return;
  }
  Status applied = patch ? slot.patched.apply(*patch, slot.status.lastSnapshot) : patch.error();
  if (applied && slot.patched.assembling()) {
    return;  // a full patch in frames: the text changes with its last one
  }
  if (applied) {
    slot.status.lastSnapshotAt = slot.status.lastHeard;
    slot.snapshotOnChannel = true;
    slot.resyncAsked = false;
    if ((patch->full || patch->continued) && options_.afterFullSnapshot) {
      // Posted: the last frame's payload and the channel's read buffer are
      // freed only once this read returns.
      loop_.post(options_.afterFullSnapshot);
    }
    return;
  }
  refusePatch(slot, applied.error());
}

void Supervisor::refusePatch(Slot& slot, const Error& error) {
  // The text kept is the last one applied, so it ages (and /healthz says so)
  // until a full snapshot applies: a Heartbeat no longer vouches for it.
  slot.patched.reset();
  slot.snapshotOnChannel = false;
  ++slot.status.patchesRefused;
  if (slot.resyncAsked) {
    // Even the full snapshot asked for does not apply: asking again would
    // loop at channel speed. A reload's or a new worker's full snapshot may.
    log(LogLevel::Error, "{} worker (pid {}): {}; its snapshot stays stale", slot.spec.name,
        slot.status.pid, error.describe());
    return;
  }
  log(LogLevel::Error, "{} worker (pid {}): {}; asking for its full snapshot", slot.spec.name,
      slot.status.pid, error.describe());
  slot.resyncAsked = true;
  ++slot.status.resyncsAsked;
  Status sent = slot.channel->send(MessageType::Resync, "");
  if (!sent) {
    log(LogLevel::Error, "cannot ask {} worker for its full snapshot: {}", slot.spec.name,
        sent.error().describe());
  }
}

void Supervisor::onChannelClosed(Slot& slot, const Error& reason) {
  log(LogLevel::Debug, "{} worker channel closed: {}", slot.spec.name, reason.describe());
  // Destroying the channel inside its own callback is allowed; do it later
  // anyway so the slot stays consistent until the exit is reaped.
  if (slot.status.running && !stopping_) {
    slot.silenceTimer->armAfter(options_.silentWorkerGrace);
  }
}

void Supervisor::onExit(Slot& slot, const ChildExit& exit) {
  Duration ranFor = loop_.now() - slot.status.startedAt.value_or(loop_.now());
  slot.status.running = false;
  slot.status.lastExitStatus = exit.status;
  slot.channel.reset();
  slot.silenceTimer->cancel();
  if (stopping_) {
    log(LogLevel::Info, "{} worker (pid {}) {}", slot.spec.name, exit.pid,
        describeExitStatus(exit.status));
    slot.status.pid = 0;
    notify(slot);
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].get() == &slot) {
        stagedStop_.onExit(i);
      }
    }
    finishStopIfDone();
    return;
  }
  log(LogLevel::Warning, "{} worker (pid {}) died: {}", slot.spec.name, exit.pid,
      describeExitStatus(exit.status));
  slot.status.pid = 0;
  scheduleRespawn(slot, ranFor);
  notify(slot);
}

void Supervisor::scheduleRespawn(Slot& slot, Duration ranFor) {
  if (stopping_) {
    return;
  }
  Duration delay = slot.backoff.onExit(ranFor);
  log(LogLevel::Notice, "respawning {} worker in {} ms", slot.spec.name, toMs(delay));
  slot.respawnTimer->armAfter(delay);
}

void Supervisor::reload(uint64_t generation) {
  for (auto& slot : slots_) {
    if (!slot->channel || !slot->channel->isOpen()) {
      continue;  // a respawned worker starts from the current config anyway
    }
    Status sent = slot->channel->send(MessageType::Reload, std::to_string(generation));
    if (!sent) {
      log(LogLevel::Error, "cannot send reload to {} worker: {}", slot->spec.name,
          sent.error().describe());
    }
  }
}

void Supervisor::stop(std::function<void()> onStopped) {
  stopping_ = true;
  onStopped_ = std::move(onStopped);
  std::vector<unsigned> stageOf;
  std::vector<bool> running;
  for (auto& slot : slots_) {
    slot->respawnTimer->cancel();
    slot->silenceTimer->cancel();
    const auto& first = options_.stopFirst;
    bool isFirst = std::find(first.begin(), first.end(), slot->spec.name) != first.end();
    stageOf.push_back(isFirst ? 0 : 1);
    running.push_back(slot->status.running);
  }
  stagedStop_.start(std::move(stageOf), std::move(running));
  finishStopIfDone();
}

// One StagedStop step. The SIGKILL deadline restarts with every stage, so a
// worker signalled late still gets the whole stopTimeout.
void Supervisor::stopWorker(size_t index) {
  Slot& slot = *slots_[index];
  if (!options_.inProcess) {
    ::kill(slot.status.pid, SIGTERM);
    stopTimer_->armAfter(options_.stopTimeout);
    return;
  }
  slot.inProcessHost.reset();
  slot.channel.reset();
  slot.status.running = false;
  slot.status.pid = 0;
  notify(slot);
  stagedStop_.onExit(index);
}

void Supervisor::finishStopIfDone() {
  for (auto& slot : slots_) {
    if (slot->status.running) {
      return;
    }
  }
  stopTimer_->cancel();
  if (onStopped_) {
    loop_.post(std::exchange(onStopped_, nullptr));
  }
}

void Supervisor::notify(const Slot& slot) {
  if (observer_) {
    observer_(slot.status);
  }
}

std::vector<WorkerStatus> Supervisor::status() const {
  std::vector<WorkerStatus> out;
  for (const auto& slot : slots_) {
    out.push_back(slot->status);
    int unread = 0;
    out.back().messageWaiting = slot->channel && slot->channel->isOpen() &&
                                ::ioctl(slot->channel->fd(), FIONREAD, &unread) == 0 && unread > 0;
  }
  return out;
}

}  // namespace vigil
