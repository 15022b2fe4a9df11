#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <vector>

#include "config/model_lvs.h"
#include "core/ip_address.h"
#include "core/netlink/address_monitor.h"

// keepalived's ha_suspend, decided without I/O: a virtual service with
// ha_suspend is suspended while none of its addresses is configured on a
// local interface (this director is BACKUP and the VIP is on the peer), so
// its real servers' checkers send nothing. The check worker feeds it the
// address monitor's events and stops or starts the checkers it names.
//
// A service's addresses are its own (virtual_server ADDRESS PORT) or, for a
// virtual_server_group, every address of the group's ranges: the group
// counts as present when any one of them is local. Fwmark services never
// get here (the validator drops ha_suspend on them, as keepalived does).
namespace vigil::check {

class HaSuspension {
 public:
  // Watches the services of `lvs` (indexes into lvs.virtualServers) with
  // ha_suspend; the local addresses are kept from before. Afterwards
  // suspended() answers for the new indexes.
  void configure(const config::LvsModel& lvs);

  // An address appeared on / left an interface. Returns the services whose
  // suspension flipped (read the new value with suspended()); a duplicate
  // event or an address still present on another interface flips nothing.
  std::vector<size_t> addressAdded(const netlink::LocalAddress& address);
  std::vector<size_t> addressRemoved(const netlink::LocalAddress& address);

  bool suspended(size_t service) const {
    return service < suspended_.size() && suspended_[service];
  }
  size_t suspendedCount() const;

 private:
  struct Range {
    IpAddress first;
    IpAddress last;  // inclusive, same family as first
  };

  bool present(const std::vector<Range>& ranges) const;
  // Re-judges every watched service; returns those that flipped.
  std::vector<size_t> rejudge();

  // Per service; empty: not watched (no ha_suspend), never suspended.
  std::vector<std::vector<Range>> ranges_;
  std::vector<bool> suspended_;
  std::set<netlink::LocalAddress> local_;
  // How many interfaces carry each address.
  std::map<IpAddress, size_t> carried_;
};

}  // namespace vigil::check
