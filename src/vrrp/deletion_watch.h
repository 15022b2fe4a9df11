#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "core/netlink/deletion_monitor.h"

namespace vigil::vrrp {

// Which rtnetlink groups the VRRP worker's DeletionMonitor listens to: the
// union of what each owner of routing entries wants at the moment
// (RoutingEntries::deletionGroups(): its groups while its entries are in
// the kernel, none otherwise). So a BACKUP, which has installed none of its
// virtual routes and rules, joins no route or rule group for them, and the
// host's route churn (a BGP table's) does not wake the worker. Joining at a
// takeover is a setsockopt per group, no netlink round trip.
class DeletionWatch {
 public:
  // `monitor` null: nothing is watched (a worker without netlink).
  explicit DeletionWatch(netlink::DeletionMonitor* monitor) : monitor_(monitor) {}

  // `owner` wants `groups` joined from now on (empty: none, it is gone).
  // The monitor is told the union when it changed, before want() returns:
  // an owner asks before it adds its entries, so none is deleted unseen.
  void want(const void* owner, const netlink::NotificationGroups& groups);
  // Tells the monitor the union again when its last watch() failed (a
  // reload retries so).
  void retry();

  // What the owners want now, joined or not.
  netlink::NotificationGroups wanted() const;
  // watch() calls that failed: groups not joined (or not left) until a
  // later one succeeded, deletions unseen meanwhile. Only grows.
  uint64_t failures() const { return failures_; }

 private:
  void apply();

  netlink::DeletionMonitor* monitor_;
  std::map<const void*, netlink::NotificationGroups> wants_;
  // What the monitor listens to; nullopt after a failed watch(). A monitor
  // starts in none.
  std::optional<netlink::NotificationGroups> joined_ = netlink::NotificationGroups{};
  uint64_t failures_ = 0;
};

}  // namespace vigil::vrrp
