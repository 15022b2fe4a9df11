#include "core/netlink/netlink_address_manager.h"

#include <linux/if_addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>

#include <memory>

namespace vigil::netlink {

namespace {

struct AddrFree {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
using AddrPtr = std::unique_ptr<rtnl_addr, AddrFree>;

struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

std::string describe(const AddressSpec& spec) {
  return spec.address.toString() + " on " + spec.interface.describe();
}

Result<AddrPtr> buildAddr(const AddressSpec& spec) {
  auto ifindex = resolve(spec.interface);
  if (!ifindex) {
    return ifindex.error();
  }
  AddrPtr addr(rtnl_addr_alloc());
  NlAddrPtr local = toNlAddr(spec.address.address, spec.address.length);
  if (!addr || !local) {
    return Error{ENOMEM, "address " + describe(spec)};
  }
  rtnl_addr_set_ifindex(addr.get(), *ifindex);
  rtnl_addr_set_family(addr.get(), spec.address.address.family());
  if (int rc = rtnl_addr_set_local(addr.get(), local.get()); rc < 0) {
    return nlError(rc, "address " + describe(spec));
  }
  rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(spec.address.length));
  rtnl_addr_set_scope(addr.get(), spec.scope);
  if (spec.address.address.isV4()) {
    if (spec.broadcast) {
      NlAddrPtr brd = toNlAddr(*spec.broadcast, 32);
      if (!brd) {
        return Error{ENOMEM, "address " + describe(spec)};
      }
      rtnl_addr_set_broadcast(addr.get(), brd.get());
    }
    if (!spec.label.empty()) {
      if (int rc = rtnl_addr_set_label(addr.get(), spec.label.c_str()); rc < 0) {
        return nlError(rc, "label " + spec.label + " for " + describe(spec));
      }
    }
  }
  rtnl_addr_set_valid_lifetime(addr.get(), spec.validLifetime);
  rtnl_addr_set_preferred_lifetime(addr.get(), spec.preferredLifetime);
  if (spec.noDad) {
    rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  }
  return addr;
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
  return NetlinkAddressManager(std::move(*sock));
}

Status NetlinkAddressManager::add(const AddressSpec& spec) {
  auto addr = buildAddr(spec);
  if (!addr) {
    return addr.error();
  }
  // NLM_F_REPLACE: re-adding an installed address updates it (and restarts
  // its lifetimes) instead of failing with EEXIST.
  if (int rc = rtnl_addr_add(sock_.get(), addr->get(), NLM_F_REPLACE); rc < 0) {
    return nlError(rc, "adding address " + describe(spec));
  }
  return {};
}

Status NetlinkAddressManager::remove(const AddressSpec& spec) {
  auto addr = buildAddr(spec);
  if (!addr) {
    return addr.error();
  }
  if (int rc = rtnl_addr_delete(sock_.get(), addr->get(), 0); rc < 0) {
    return nlError(rc, "removing address " + describe(spec));
  }
  return {};
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
