#include "vrrp/vmac_addr_plan.h"

#include <algorithm>

#include "vrrp/virtual_mac.h"

namespace vigil::vrrp {
namespace {

// Walks an instance's addresses in keepalived's order, choosing each one's
// VMAC and making the address VMACs as they are first needed.
class AddressPlacer {
 public:
  AddressPlacer(const config::VrrpInstance& instance, const config::VrrpGlobalDefaults& defaults)
      : instance_(instance),
        prefix_(defaults.vmacAddrPrefix.empty() ? defaults.vmacPrefix : defaults.vmacAddrPrefix),
        own_(vmacFor(instance, defaults.vmacPrefix)) {}

  // The VMAC `address` lands on; empty when it stays where it is written.
  std::string place(const config::VirtualAddress& address) {
    if (!instance_.useVmacAddr && !address.useVmac) return {};
    const std::string& base = address.dev.empty() ? instance_.interface : address.dev;
    const int family = address.prefix.address.family();
    const bool home = base == instance_.interface && family == instance_.family;
    if (home && own_) return own_->name;
    if (home && !address.useVmac) return {};
    for (const AddressVmac& vmac : vmacs_) {
      if (vmac.base == base && vmac.family == family) return vmac.spec.name;
    }
    vmacs_.push_back({{freeName(family), virtualMac(family, instance_.vrid)}, base, family});
    return vmacs_.back().spec.name;
  }

  void placeAll(std::vector<config::VirtualAddress>& addresses) {
    for (config::VirtualAddress& address : addresses) {
      if (std::string vmac = place(address); !vmac.empty()) address.dev = std::move(vmac);
    }
  }

  std::vector<AddressVmac> takeVmacs() { return std::move(vmacs_); }

 private:
  bool taken(const std::string& name) const {
    if (own_ && own_->name == name) return true;
    return std::any_of(vmacs_.begin(), vmacs_.end(),
                       [&](const AddressVmac& vmac) { return vmac.spec.name == name; });
  }

  std::string freeName(int family) const {
    const std::string vrid = "." + std::to_string(instance_.vrid);
    if (!taken(prefix_ + vrid)) return prefix_ + vrid;
    if (family == AF_INET6 && !taken(prefix_ + "6" + vrid)) return prefix_ + "6" + vrid;
    // Ends: each name taken is one VMAC, and there are finitely many.
    for (int n = 1;; ++n) {
      std::string name = prefix_ + std::to_string(n) + vrid;
      if (!taken(name)) return name;
    }
  }

  const config::VrrpInstance& instance_;
  std::string prefix_;
  std::optional<VmacSpec> own_;
  std::vector<AddressVmac> vmacs_;
};

struct Placement {
  config::VrrpInstance instance;  // with each placed address's dev set
  std::vector<AddressVmac> vmacs;
};

Placement place(const config::VrrpInstance& instance, const config::VrrpGlobalDefaults& defaults) {
  Placement placement{instance, {}};
  AddressPlacer placer(instance, defaults);
  placer.placeAll(placement.instance.vips);
  placer.placeAll(placement.instance.excludedVips);
  placement.vmacs = placer.takeVmacs();
  return placement;
}

}  // namespace

std::vector<AddressVmac> addressVmacs(const config::VrrpInstance& instance,
                                      const config::VrrpGlobalDefaults& defaults) {
  return place(instance, defaults).vmacs;
}

config::VrrpInstance withPlacedAddresses(const config::VrrpInstance& instance,
                                         const config::VrrpGlobalDefaults& defaults) {
  return place(instance, defaults).instance;
}

config::VirtualAddress vmacLinkLocalOn(const std::string& vmac, const IpAddress& address) {
  config::VirtualAddress linkLocal;
  linkLocal.prefix = IpPrefix{address, 64};
  linkLocal.dev = vmac;
  linkLocal.scope = "link";
  linkLocal.noDad = true;
  return linkLocal;
}

}  // namespace vigil::vrrp
