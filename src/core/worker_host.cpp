#include "core/worker_host.h"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <functional>

#include "core/log.h"
#include "core/posix_event_loop.h"

namespace vigil {

std::string jsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

SnapshotDeduplicator::Fingerprint SnapshotDeduplicator::fingerprint(std::string_view text) {
  // libstdc++'s string hash is MurmurHash64A over the bytes: several GB/s,
  // so hashing an 8.4 MB snapshot costs a few ms once a second.
  return {text.size(), std::hash<std::string_view>{}(text)};
}

WorkerHost::WorkerHost(EventLoop& loop, UniqueFd channelFd, std::string name,
                       std::unique_ptr<Worker> worker, Duration snapshotInterval,
                       std::function<void()> onStop)
    : loop_(loop),
      name_(std::move(name)),
      worker_(std::move(worker)),
      snapshotInterval_(snapshotInterval),
      onStop_(std::move(onStop)),
      channel_(
          loop, std::move(channelFd), [this](const Message& m) { onMessage(m); },
          [this](const Error& reason) {
            log(LogLevel::Notice, "{} worker: supervisor channel closed ({}); stopping", name_,
                reason.describe());
            onStop_();
          }) {
  Status hello = channel_.send(MessageType::Hello, fmt::format("{{\"worker\":{},\"pid\":{}}}",
                                                               jsonQuote(name_), ::getpid()));
  if (!hello) {
    log(LogLevel::Warning, "{} worker: cannot say hello: {}", name_, hello.error().describe());
  }
  channel_.setOnDrained([this] { sendPendingFrames(); });
  snapshotTimer_ = loop_.createTimer([this] { sendSnapshot(); });
  snapshotTimer_->armAfter(snapshotInterval_);
}

WorkerHost::~WorkerHost() = default;

void WorkerHost::sendSnapshot() {
  snapshotTimer_->armAfter(snapshotInterval_);
  if (sendPatch()) return;
  std::string text = worker_->snapshot();
  const SnapshotDeduplicator::Fingerprint fingerprint = SnapshotDeduplicator::fingerprint(text);
  bool unchanged = deduplicator_.unchanged(fingerprint);
  Status sent = unchanged ? channel_.send(MessageType::Heartbeat, "")
                          : channel_.send(MessageType::Snapshot, text);
  if (sent && !unchanged) {
    deduplicator_.remember(fingerprint);
  } else if (!sent) {
    log(LogLevel::Debug, "{} worker: snapshot not sent: {}", name_, sent.error().describe());
  }
}

bool WorkerHost::sendPatch() {
  if (!buildsPatches_) return false;
  // The supervisor has not read the last patch yet. Building another now
  // would only see it refused (the queue holds one full patch at most) and
  // make the next one full again: at 20,000 checkers, a full rendering every
  // interval kept the check worker behind its schedule for a minute while a
  // supervisor on the same CPU caught up. Slots marked meanwhile stay marked
  // for the next patch; the queued bytes tell the supervisor the worker lives.
  if (channel_.queuedBytes() > 0 || !pendingFrames_.empty()) return true;
  std::optional<SnapshotPatchBuilder> patch = worker_->snapshotPatch(fullPatchDue_);
  if (!patch) {
    buildsPatches_ = false;
    return false;
  }
  if (!patch->full() && patch->empty()) {
    Status sent = channel_.send(MessageType::Heartbeat, "");
    if (!sent) {
      fullPatchDue_ = true;
      log(LogLevel::Debug, "{} worker: heartbeat not sent: {}", name_, sent.error().describe());
    }
    return true;
  }
  if (patch->full()) fullPatchDue_ = false;
  for (std::string& frame : patch->takeFrames()) pendingFrames_.push_back(std::move(frame));
  sendPendingFrames();
  return true;
}

void WorkerHost::sendPendingFrames() {
  while (!pendingFrames_.empty() && channel_.queuedBytes() == 0) {
    Status sent = channel_.send(MessageType::SnapshotPatch, pendingFrames_.front());
    pendingFrames_.pop_front();
    if (!sent) {
      // What the supervisor holds is no longer known: the worker has moved
      // on to the slots it just built.
      abandonPatch();
      log(LogLevel::Debug, "{} worker: snapshot patch not sent: {}", name_,
          sent.error().describe());
      return;
    }
  }
}

void WorkerHost::abandonPatch() {
  pendingFrames_.clear();
  fullPatchDue_ = true;
}

void WorkerHost::onMessage(const Message& message) {
  switch (message.type) {
    case MessageType::Reload: {
      uint64_t generation = 0;
      const std::string& text = message.payload;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), generation);
      if (ec != std::errc() || end != text.data() + text.size()) {
        log(LogLevel::Warning, "{} worker: ignoring reload with bad generation '{}'", name_, text);
        return;
      }
      worker_->reload(generation);
      // Frames still to go may have been rendered for the old layout.
      abandonPatch();
      sendSnapshot();
      return;
    }
    case MessageType::Stop:
      onStop_();
      return;
    case MessageType::Resync:
      // The supervisor could not apply a patch: the next snapshot goes whole.
      abandonPatch();
      deduplicator_ = SnapshotDeduplicator();
      sendSnapshot();
      return;
    default:
      log(LogLevel::Debug, "{} worker: ignoring {} message", name_, messageTypeName(message.type));
      return;
  }
}

int runWorkerProcess(const std::string& name, const WorkerFactory& factory, UniqueFd channelFd,
                     Duration snapshotInterval) {
  // The fork reset every disposition; writes to a vanished peer (a notify
  // FIFO, a socket) must fail with EPIPE, not kill the worker.
  ::signal(SIGPIPE, SIG_IGN);
  PosixEventLoop loop;
  for (int signo : {SIGTERM, SIGINT}) {
    Status handled = loop.onSignal(signo, [&loop] { loop.stop(); });
    if (!handled) {
      log(LogLevel::Error, "{} worker: {}", name, handled.error().describe());
      return 1;
    }
  }
  // Reloads arrive over the channel; a HUP sent to the whole process group
  // (a terminal hanging up) must not kill the worker.
  (void)loop.onSignal(SIGHUP, [] {});
  WorkerHost host(loop, std::move(channelFd), name, factory(loop), snapshotInterval,
                  [&loop] { loop.stop(); });
  loop.run();
  return 0;
}

}  // namespace vigil
