#include "vrrp/accept_filter.h"

#include <sys/wait.h>

#include <algorithm>

#include "core/log.h"
#include "core/posix_event_loop.h"
#include "vrrp/accept_filter_rules.h"

namespace vigil::vrrp {
namespace {

// nft talks to the kernel over netlink and is done in milliseconds; the
// bound only matters for a wedged system.
constexpr Duration kNftTimeout = std::chrono::seconds(5);

}  // namespace

struct NftAcceptFilter::Queue : std::enable_shared_from_this<Queue> {
  ProcessSpawner& spawner;
  std::shared_ptr<ProcessSpawner> owned;
  std::string nft;
  // chain -> the command that brings it to its latest wanted state, in
  // the order first queued.
  std::vector<std::pair<std::string, std::string>> pending;
  bool running = false;
  uint64_t runs = 0;
  uint64_t failures = 0;

  Queue(ProcessSpawner& s, std::shared_ptr<ProcessSpawner> o, std::string n)
      : spawner(s), owned(std::move(o)), nft(std::move(n)) {}

  void enqueue(const std::string& chain, std::string command) {
    auto same = [&](const auto& entry) { return entry.first == chain; };
    auto it = std::find_if(pending.begin(), pending.end(), same);
    if (it != pending.end()) {
      it->second = std::move(command);
    } else {
      pending.emplace_back(chain, std::move(command));
    }
    runNext();
  }

  void runNext() {
    while (!running && !pending.empty()) {
      std::string command = std::move(pending.front().second);
      pending.erase(pending.begin());
      SpawnRequest request{{nft, command}, kNftTimeout, std::nullopt};
      // The callback holds the queue, so it outlives its owner until the
      // last child is reaped.
      auto self = shared_from_this();
      auto pid = spawner.spawn(request, [self, command](const ChildExit& exit) {
        self->running = false;
        self->finished(command, exit);
        self->runNext();
      });
      if (!pid) {
        ++failures;
        log(LogLevel::Error, "no_accept: cannot run {}: {}", nft, pid.error().describe());
        continue;
      }
      running = true;
    }
  }

  void finished(const std::string& command, const ChildExit& exit) {
    if (!exit.timedOut && WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0) {
      ++runs;
      return;
    }
    ++failures;
    log(LogLevel::Error, "no_accept: '{} {}' failed ({})", nft, command,
        exit.timedOut
            ? std::string("timed out")
            : "status " + std::to_string(WIFEXITED(exit.status) ? WEXITSTATUS(exit.status)
                                                                : 128 + WTERMSIG(exit.status)));
  }
};

NftAcceptFilter::NftAcceptFilter(ProcessSpawner& spawner, std::shared_ptr<ProcessSpawner> owned,
                                 std::string nft)
    : queue_(std::make_shared<Queue>(spawner, std::move(owned), std::move(nft))) {}

void NftAcceptFilter::block(const std::string& instance, const std::vector<IpAddress>& vips) {
  queue_->enqueue(nftChainName(instance), nftBlockCommand(instance, vips));
}

void NftAcceptFilter::unblock(const std::string& instance) {
  queue_->enqueue(nftChainName(instance), nftUnblockCommand(instance));
}

uint64_t NftAcceptFilter::runs() const { return queue_->runs; }
uint64_t NftAcceptFilter::failures() const { return queue_->failures; }
bool NftAcceptFilter::idle() const { return !queue_->running && queue_->pending.empty(); }

void LoggingAcceptFilter::block(const std::string& instance, const std::vector<IpAddress>& vips) {
  log(LogLevel::Warning, "VRRP_Instance({}) no_accept not enforced (no nft here) for {} VIPs",
      instance, vips.size());
}

void LoggingAcceptFilter::unblock(const std::string&) {}

std::unique_ptr<AcceptFilter> makeAcceptFilter(EventLoop& loop) {
  auto* posix = dynamic_cast<PosixEventLoop*>(&loop);
  if (posix == nullptr) return std::make_unique<LoggingAcceptFilter>();
  auto spawner = std::make_shared<PosixProcessSpawner>(*posix);
  return std::make_unique<NftAcceptFilter>(*spawner, spawner);
}

}  // namespace vigil::vrrp
