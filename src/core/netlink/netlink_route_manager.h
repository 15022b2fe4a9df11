#pragma once

#include "core/netlink/nl_socket.h"
#include "core/netlink/route_manager.h"

namespace vigil::netlink {

// RouteManager over an rtnetlink socket (libnl-route); synchronous.
class NetlinkRouteManager final : public RouteManager {
 public:
  static Result<NetlinkRouteManager> create();

  Status add(const RouteSpec& route) override;
  Status remove(const RouteSpec& route) override;

 private:
  explicit NetlinkRouteManager(NlSocket sock) : sock_(std::move(sock)) {}
  NlSocket sock_;
};

}  // namespace vigil::netlink
