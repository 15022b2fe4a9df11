#include "core/netlink/macvlan_manager.h"

#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include <memory>

#include "core/netlink/nl_socket.h"

namespace vigil::netlink {

namespace {

struct LinkFree {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkFree>;

}  // namespace

Result<int> NetlinkMacvlanManager::create(const std::string& name, const std::string& base,
                                          const Mac& mac) {
  const std::string what = "creating macvlan " + name + " on " + base;
  auto baseIndex = interfaceIndex(base);
  if (!baseIndex) {
    return Error{baseIndex.error().code, what};
  }
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  LinkPtr link(rtnl_link_macvlan_alloc());
  NlAddrPtr addr(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  if (!link || !addr) {
    return Error{ENOMEM, what};
  }
  rtnl_link_set_name(link.get(), name.c_str());
  rtnl_link_set_link(link.get(), *baseIndex);
  rtnl_link_set_addr(link.get(), addr.get());
  rtnl_link_set_flags(link.get(), IFF_UP);
  if (int rc = rtnl_link_macvlan_set_mode(link.get(), MACVLAN_MODE_PRIVATE); rc < 0) {
    return nlError(rc, what);
  }
  if (int rc = rtnl_link_add(sock->get(), link.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0) {
    return nlError(rc, what);
  }
  return interfaceIndex(name);
}

Status NetlinkMacvlanManager::remove(const std::string& name) {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  LinkPtr link(rtnl_link_alloc());
  if (!link) {
    return Error{ENOMEM, "deleting macvlan " + name};
  }
  rtnl_link_set_name(link.get(), name.c_str());
  if (int rc = rtnl_link_delete(sock->get(), link.get()); rc < 0) {
    return nlError(rc, "deleting macvlan " + name);
  }
  return {};
}

}  // namespace vigil::netlink
