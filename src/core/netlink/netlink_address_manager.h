#pragma once

#include "core/netlink/address_manager.h"
#include "core/netlink/nl_socket.h"

namespace vigil::netlink {

// AddressManager over an rtnetlink socket (libnl-route). Requests are
// synchronous: each call waits for the kernel's acknowledgement.
class NetlinkAddressManager final : public AddressManager {
 public:
  static Result<NetlinkAddressManager> create();

  Status add(const AddressSpec& spec) override;
  Status remove(const AddressSpec& spec) override;
  Result<std::vector<InstalledAddress>> list(const InterfaceRef& interface, int family) override;

 private:
  explicit NetlinkAddressManager(NlSocket sock) : sock_(std::move(sock)) {}
  NlSocket sock_;
};

// The index an InterfaceRef names, resolving the name when index is 0.
Result<int> resolve(const InterfaceRef& interface);

}  // namespace vigil::netlink
