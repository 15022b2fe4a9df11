#include "core/netlink/macvlan_manager.h"

#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/macvlan.h>

#include <memory>

#include "core/log.h"
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
  if (int rc = rtnl_link_macvlan_set_mode(link.get(), MACVLAN_MODE_PRIVATE); rc < 0) {
    return nlError(rc, what);
  }
  // Created down: it must not come up with the link-local the kernel would
  // derive from the virtual MAC.
  if (int rc = rtnl_link_add(sock->get(), link.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0) {
    return nlError(rc, what);
  }
  if (Status up = bringUpWithoutLinkLocal(sock->get(), name); !up) {
    (void)remove(name);
    return Error{up.error().code, what + ": " + up.error().message};
  }
  return interfaceIndex(name);
}

Status NetlinkMacvlanManager::bringUpWithoutLinkLocal(nl_sock* sock, const std::string& name) {
  LinkPtr current;
  {
    rtnl_link* found = nullptr;
    if (int rc = rtnl_link_get_kernel(sock, 0, name.c_str(), &found); rc < 0) {
      return nlError(rc, "reading it back");
    }
    current.reset(found);
  }
  // Every router of the VRID has the same virtual MAC, so the EUI-64
  // link-local would be the same on all of them (DAD fails, adverts lose
  // their source). addr_gen_mode none: the VRRP worker gives an IPv6 VMAC
  // the link-local it sends from (vrrp::vmacLinkLocal). A kernel without IPv6 refuses the setting
  // and has no link-local to avoid: the VMAC still comes up.
  LinkPtr change(rtnl_link_alloc());
  if (!change) return Error{ENOMEM, "allocating a link change"};
  int rc = rtnl_link_inet6_set_addr_gen_mode(change.get(), IN6_ADDR_GEN_MODE_NONE);
  if (rc >= 0) rc = rtnl_link_change(sock, current.get(), change.get(), 0);
  if (rc < 0) {
    log(LogLevel::Warning, "macvlan {}: {}", name,
        nlError(rc, "cannot set addr_gen_mode none").describe());
  }
  LinkPtr up(rtnl_link_alloc());
  if (!up) return Error{ENOMEM, "allocating a link change"};
  rtnl_link_set_flags(up.get(), IFF_UP);
  rc = rtnl_link_change(sock, current.get(), up.get(), 0);
  if (rc < 0) return nlError(rc, "bringing it up");
  return {};
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
