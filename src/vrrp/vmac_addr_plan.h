#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

#include "config/model_global.h"
#include "config/model_vrrp.h"
#include "vrrp/vmac.h"

namespace vigil::vrrp {

// use_vmac_addr, and use_vmac on one virtual_ipaddress(_excluded) entry:
// VMACs for the addresses that do not belong on the instance's own VMAC.
//
// An address "lives" on (its dev, else the instance's interface; its
// family). It wants a VMAC when the instance has use_vmac_addr or the entry
// says use_vmac. Then, as keepalived 2.2.7 does (observed, doc/vips.md):
//  - on the instance's interface and family it goes on the instance's VMAC
//    when the instance has use_vmac, else on a VMAC of its own only when
//    the entry says use_vmac (use_vmac_addr alone leaves it on the base);
//  - elsewhere it goes on the VMAC of its (interface, family), one per pair
//    and instance, made when an address first needs it (virtual_ipaddress
//    first, then virtual_ipaddress_excluded, each in written order), with
//    the RFC 5798 §7.3 MAC of the address's family.
// Addresses that want no VMAC stay where they are written.
struct AddressVmac {
  VmacSpec spec;
  std::string base;
  int family = AF_INET;  // of its addresses
  bool operator==(const AddressVmac&) const = default;
};

// The VMACs `instance`'s addresses need besides its own, in the order first
// needed. Names are keepalived's: the first free of `P.VRID`, then for an
// IPv6 VMAC `P6.VRID`, then `P1.VRID`, `P2.VRID`, ..., where P is
// vmac_addr_prefix (default vmac_prefix) and "free" means not the
// instance's VMAC nor one chosen before.
std::vector<AddressVmac> addressVmacs(const config::VrrpInstance& instance,
                                      const config::VrrpGlobalDefaults& defaults);

// `instance` as its runtime sees it: every VIP and eVIP that lands on a
// VMAC names that VMAC as its dev; the others are unchanged.
config::VrrpInstance withPlacedAddresses(const config::VrrpInstance& instance,
                                         const config::VrrpGlobalDefaults& defaults);

// The link-local `address` as an IPv6 VMAC carries it: fe80::/64 scope
// link, no DAD (it is its base's, on the same host). Every IPv6 VMAC of
// addresses carries its base's (keepalived does too), so unsolicited NAs
// and neighbour discovery for the addresses on it have a link-local source.
config::VirtualAddress vmacLinkLocalOn(const std::string& vmac, const IpAddress& address);

}  // namespace vigil::vrrp
