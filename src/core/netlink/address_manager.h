#pragma once

#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/result.h"

namespace vigil::netlink {

// The interface an address or route goes on: by index when it is non-zero,
// otherwise by name.
struct InterfaceRef {
  std::string name;
  int index = 0;

  std::string describe() const { return name.empty() ? "ifindex " + std::to_string(index) : name; }
};

inline constexpr uint32_t kForeverLifetime = 0xFFFFFFFFu;

// One address to install (ip addr add ADDRESS/LEN dev IF brd B scope S label L
// valid_lft V preferred_lft P [nodad]).
struct AddressSpec {
  InterfaceRef interface;
  IpPrefix address;
  std::optional<IpAddress> broadcast;  // IPv4 only
  uint8_t scope = RT_SCOPE_UNIVERSE;
  std::string label;  // IPv4 only (the kernel keeps no labels for IPv6)
  // Seconds; kForeverLifetime is permanent. A VIP gets a short lifetime that
  // the owner refreshes by adding it again, so it vanishes when nobody does.
  uint32_t validLifetime = kForeverLifetime;
  uint32_t preferredLifetime = kForeverLifetime;
  // IFA_F_NODAD: usable at once instead of tentative during DAD (IPv6).
  bool noDad = false;
};

// An address as the kernel reports it.
struct InstalledAddress {
  int ifindex = 0;
  IpPrefix address;
  uint8_t scope = 0;
  std::string label;
  uint32_t flags = 0;  // IFA_F_*
  uint32_t validLifetime = kForeverLifetime;
  uint32_t preferredLifetime = kForeverLifetime;
};

// Adds and removes interface addresses. The VRRP runtime uses it through
// this interface so tests can substitute a fake.
class AddressManager {
 public:
  virtual ~AddressManager() = default;
  // Adds the address, or replaces an existing one with the same address and
  // prefix, which restarts its lifetimes.
  virtual Status add(const AddressSpec& spec) = 0;
  // Removes it; an address that is not there is an error with ENOENT or
  // EADDRNOTAVAIL.
  virtual Status remove(const AddressSpec& spec) = 0;
  // Addresses of one interface, of family AF_INET, AF_INET6 or AF_UNSPEC.
  virtual Result<std::vector<InstalledAddress>> list(const InterfaceRef& interface, int family) = 0;
};

}  // namespace vigil::netlink
