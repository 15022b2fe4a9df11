#include "core/netlink/netlink_address_manager.h"

#include <linux/if_addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>

#include <memory>

namespace vigil::netlink {

namespace {

struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

std::string describe(const AddressSpec& spec) {
  return spec.address.toString() + " on " + spec.interface.describe();
}

InstalledAddress toInstalled(rtnl_addr* addr) {
  InstalledAddress out;
  out.ifindex = rtnl_addr_get_ifindex(addr);
  nl_addr* local = rtnl_addr_get_local(addr);
  if (local != nullptr) {
    out.address.address = IpAddress::fromBytes(
        nl_addr_get_family(local), static_cast<const uint8_t*>(nl_addr_get_binary_addr(local)));
  }
  out.address.length = static_cast<unsigned>(rtnl_addr_get_prefixlen(addr));
  out.scope = static_cast<uint8_t>(rtnl_addr_get_scope(addr));
  if (const char* label = rtnl_addr_get_label(addr); label != nullptr) {
    out.label = label;
  }
  out.flags = rtnl_addr_get_flags(addr);
  out.validLifetime = rtnl_addr_get_valid_lifetime(addr);
  out.preferredLifetime = rtnl_addr_get_preferred_lifetime(addr);
  return out;
}

}  // namespace

Result<int> resolve(const InterfaceRef& interface) {
  if (interface.index != 0) {
    return interface.index;
  }
  return interfaceIndex(interface.name);
}

Result<NetlinkAddressManager> NetlinkAddressManager::create() {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  auto requests = RouteRequestSocket::open();
  if (!requests) {
    return requests.error();
  }
  return NetlinkAddressManager(std::move(*sock), std::move(*requests));
}

Status NetlinkAddressManager::change(AddressRequestKind kind, const AddressSpec& spec,
                                     const char* doing) {
  auto ifindex = resolve(spec.interface);
  if (!ifindex) {
    return ifindex.error();
  }
  auto request = encodeAddressRequest(kind, spec, *ifindex);
  if (!request) {
    return Error{request.error().code, request.error().message + " for " + describe(spec)};
  }
  Status done = requests_.request(request->message());
  if (!done) {
    const std::string& how = done.error().message;
    return Error{done.error().code, doing + describe(spec) + (how.empty() ? "" : " (" + how + ")")};
  }
  return {};
}

Status NetlinkAddressManager::add(const AddressSpec& spec) {
  // NLM_F_REPLACE: re-adding an installed address updates it (and restarts
  // its lifetimes) instead of failing with EEXIST.
  return change(AddressRequestKind::Add, spec, "adding address ");
}

Status NetlinkAddressManager::remove(const AddressSpec& spec) {
  return change(AddressRequestKind::Remove, spec, "removing address ");
}

Result<std::vector<InstalledAddress>> NetlinkAddressManager::list(const InterfaceRef& interface,
                                                                  int family) {
  auto ifindex = resolve(interface);
  if (!ifindex) {
    return ifindex.error();
  }
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock_.get(), &raw); rc < 0) {
    return nlError(rc, "listing addresses of " + interface.describe());
  }
  std::unique_ptr<nl_cache, CacheFree> cache(raw);
  std::vector<InstalledAddress> out;
  for (nl_object* obj = nl_cache_get_first(raw); obj != nullptr; obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_ifindex(addr) != *ifindex) {
      continue;
    }
    if (family != AF_UNSPEC && rtnl_addr_get_family(addr) != family) {
      continue;
    }
    out.push_back(toInstalled(addr));
  }
  return out;
}

}  // namespace vigil::netlink
