#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.h"
#include "core/ip_address.h"
#include "core/process_spawner.h"

namespace vigil::vrrp {

// RFC 5798 §6.1 Accept_Mode off (`no_accept`, and vrrp_strict for a
// non-owner): a MASTER routes for its VIPs but does not accept packets
// addressed to them, except the ARP / Neighbour Discovery that keep them
// reachable. This is a host firewall matter, so the runtime asks a filter.
class AcceptFilter {
 public:
  virtual ~AcceptFilter() = default;
  // Drops local traffic to `vips` on behalf of `instance`, replacing what
  // was dropped for it before.
  virtual void block(const std::string& instance, const std::vector<IpAddress>& vips) = 0;
  // Lifts the instance's rules; a no-op when it has none.
  virtual void unblock(const std::string& instance) = 0;
};

// nftables through the `nft` command, run as a child so the VRRP loop never
// waits for it: table `inet vigil`, one input base chain per instance
// (accept_filter_rules.h). Commands for one instance coalesce (only its
// latest wanted state is run) and run one at a time, in order. Failures are
// counted and logged. The queue lives until its last child is reaped, so an
// unblock issued just before the filter is destroyed still runs.
class NftAcceptFilter final : public AcceptFilter {
 public:
  // `spawner` must outlive the filter's children; `owned` (optional) is
  // kept alive as long as they are.
  explicit NftAcceptFilter(ProcessSpawner& spawner, std::shared_ptr<ProcessSpawner> owned = {},
                           std::string nft = "nft");

  void block(const std::string& instance, const std::vector<IpAddress>& vips) override;
  void unblock(const std::string& instance) override;

  uint64_t runs() const;      // nft commands that succeeded
  uint64_t failures() const;  // that failed or could not start
  bool idle() const;          // nothing running or queued

 private:
  struct Queue;
  std::shared_ptr<Queue> queue_;
};

// Logs what it would filter: where no nft can be run.
class LoggingAcceptFilter final : public AcceptFilter {
 public:
  void block(const std::string& instance, const std::vector<IpAddress>& vips) override;
  void unblock(const std::string& instance) override;
};

// The filter for a runtime on `loop`: nft children on a PosixEventLoop,
// else the logging stand-in.
std::unique_ptr<AcceptFilter> makeAcceptFilter(EventLoop& loop);

}  // namespace vigil::vrrp
