#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/event_loop.h"
#include "core/netlink/routing_dump.h"
#include "vrrp/routing_entries.h"
#include "vrrp/routing_resync.h"

namespace vigil::vrrp {

// What the VRRP worker does when the kernel dropped its deletion
// notifications (ENOBUFS): it reads the kernel's addresses, routes and rules
// again (`dumper`, without blocking the loop) and adds back what its owners
// (the static entries, and each instance's virtual routes and rules, which
// only a MASTER has installed) lack in them (RoutingEntries::
// reinstateMissing), and only that. Losses while a reading is in flight are
// folded into one more reading after it, so a storm of ENOBUFS costs two
// dumps, not one per loss. A dump begun before an owner changed (a reload,
// an instance that became MASTER and added its routes) is read again: it
// may lack what the change added. A dump that fails is tried again after
// kRetryDelay, kMaxFailures times in a row at most; the next loss starts
// afresh.
class RoutingLossResync {
 public:
  static constexpr Duration kRetryDelay = std::chrono::seconds(1);
  static constexpr int kMaxFailures = 3;

  // The owners of entries in the kernel, at the moment of the call.
  using Owners = std::function<std::vector<RoutingEntries*>()>;

  // `dumper` null: losses are only counted by the monitor.
  RoutingLossResync(EventLoop& loop, Owners owners, netlink::RoutingDumper* dumper,
                    InterfaceIndexOf indexOf);
  ~RoutingLossResync();
  RoutingLossResync(const RoutingLossResync&) = delete;
  RoutingLossResync& operator=(const RoutingLossResync&) = delete;

  // The kernel dropped notifications.
  void onLoss();

  // Resyncs completed (a dump read and diffed), and dumps that failed; both
  // only grow.
  uint64_t done() const { return done_; }
  uint64_t failures() const { return failures_; }

 private:
  // Each owner with its changes().
  using Stamp = std::vector<std::pair<const RoutingEntries*, uint64_t>>;

  void start();
  void onDump(Result<netlink::RoutingDump> dump);
  Stamp stamp() const;

  EventLoop& loop_;
  Owners owners_;
  netlink::RoutingDumper* dumper_;
  InterfaceIndexOf indexOf_;
  std::unique_ptr<Timer> retry_;
  Stamp began_;         // the owners when the dump began
  bool again_ = false;  // a loss arrived while one was in flight
  int failuresInRow_ = 0;
  uint64_t done_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace vigil::vrrp
