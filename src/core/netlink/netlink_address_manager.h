#pragma once

#include "core/netlink/address_manager.h"
#include "core/netlink/address_request.h"
#include "core/netlink/nl_socket.h"
#include "core/netlink/route_request_socket.h"

namespace vigil::netlink {

// AddressManager over rtnetlink. Requests are synchronous: each call waits
// for the kernel's acknowledgement. Adding and removing write the request
// themselves (address_request.h) on a plain socket: a MASTER renews its
// VIPs this way every ~667 ms. Listing parses a dump through libnl-route.
class NetlinkAddressManager final : public AddressManager {
 public:
  static Result<NetlinkAddressManager> create();

  Status add(const AddressSpec& spec) override;
  Status remove(const AddressSpec& spec) override;
  Result<std::vector<InstalledAddress>> list(const InterfaceRef& interface, int family) override;

 private:
  NetlinkAddressManager(NlSocket sock, RouteRequestSocket requests)
      : sock_(std::move(sock)), requests_(std::move(requests)) {}
  Status change(AddressRequestKind kind, const AddressSpec& spec, const char* doing);

  NlSocket sock_;                // list()
  RouteRequestSocket requests_;  // add() and remove()
};

// The index an InterfaceRef names, resolving the name when index is 0.
Result<int> resolve(const InterfaceRef& interface);

}  // namespace vigil::netlink
