#pragma once

#include <sys/socket.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "vrrp/vmac.h"

namespace vigil::vrrp {

// The interfaces an instance uses once use_vmac is resolved.
struct InstanceInterfaces {
  // Where its adverts are sent and received: the VMAC, or the instance's
  // interface without use_vmac or with vmac_xmit_base.
  std::string adverts;
  // The default device of its VIPs (and so of its GARP/NA): the VMAC, or
  // the instance's interface without use_vmac.
  std::string vips;
  bool operator==(const InstanceInterfaces&) const = default;
};

InstanceInterfaces interfacesFor(const config::VrrpInstance& instance,
                                 const std::string& vmacPrefix);

// RFC 5798 §5.1.2.1: an IPv6 advert's source is the sender's link-local
// address, and the kernel sends from a link-local only on an interface that
// has it. A VMAC has none of its own (NetlinkMacvlanManager), so an IPv6
// instance sending on its VMAC puts `source` there: mcast_src_ip /
// unicast_src_ip when configured, else the base interface's link-local (as
// keepalived does), as fe80::/64 (scope link, no DAD: it is the base's, on
// the same host). nullopt without use_vmac, for IPv4, with vmac_xmit_base
// (adverts leave from the base), or when `source` is not link-local.
std::optional<config::VirtualAddress> vmacLinkLocal(const config::VrrpInstance& instance,
                                                    const std::string& vmacPrefix,
                                                    const IpAddress& source);

// A VMAC the configuration asks for: an instance's own, on top of its
// interface, or one of its addresses' (vmac_addr_plan.h).
struct WantedVmac {
  VmacSpec spec;
  std::string base;
  int family = AF_INET;  // of the instance, or of the addresses on it
  // An IPv6 VMAC of addresses: it carries its base's link-local
  // (vmacLinkLocalOn). An instance's own VMAC gets its advert source instead
  // (vmacLinkLocal).
  bool baseLinkLocal = false;
  bool operator==(const WantedVmac&) const = default;
};

// Every VMAC of `config`, by name: each instance's own, then its addresses'.
// Two instances naming the same VMAC share it when they agree on its base
// and MAC; otherwise the first one wins.
std::map<std::string, WantedVmac> wantedVmacs(const config::Config& config);

// What turns the VMACs that exist into the ones wanted: a VMAC whose name,
// MAC and base are unchanged is kept (with its addresses and sockets);
// one that changed is removed and created again. Names sorted.
struct VmacPlan {
  std::vector<std::string> remove;
  std::vector<std::string> create;
  std::vector<std::string> keep;
  bool operator==(const VmacPlan&) const = default;
};

VmacPlan planVmacs(const std::map<std::string, WantedVmac>& existing,
                   const std::map<std::string, WantedVmac>& wanted);

}  // namespace vigil::vrrp
