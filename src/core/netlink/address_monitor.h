#pragma once

#include <compare>
#include <functional>
#include <vector>

#include "core/ip_address.h"

namespace vigil::netlink {

// One address configured on a local interface.
struct LocalAddress {
  int ifindex = 0;
  IpAddress address;

  auto operator<=>(const LocalAddress&) const = default;
};

// The addresses configured on this host's interfaces, and their changes
// (RTM_NEWADDR / RTM_DELADDR). An interface so the check worker's ha_suspend
// can be tested with a fake that adds and removes whatever the test says.
class AddressMonitor {
 public:
  using Listener = std::function<void(const LocalAddress& address, bool removed)>;

  virtual ~AddressMonitor() = default;
  // Every address known now (the initial dump plus the changes since).
  virtual std::vector<LocalAddress> addresses() const = 0;
  // Called on the loop for each address that appears or goes (not for
  // those addresses() already returns).
  virtual void setListener(Listener listener) = 0;
};

}  // namespace vigil::netlink
