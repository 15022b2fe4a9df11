#include "core/netlink/nl_socket.h"

#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cerrno>

namespace vigil::netlink {

void NlSocket::Free::operator()(nl_sock* s) const { nl_socket_free(s); }

Result<NlSocket> NlSocket::connectRoute() {
  nl_sock* raw = nl_socket_alloc();
  if (raw == nullptr) {
    return Error{ENOMEM, "netlink: allocating a socket"};
  }
  NlSocket sock(raw);
  if (int rc = nl_connect(raw, NETLINK_ROUTE); rc < 0) {
    return nlError(rc, "netlink: connecting a NETLINK_ROUTE socket");
  }
  return sock;
}

void NlAddrFree::operator()(nl_addr* a) const { nl_addr_put(a); }

NlAddrPtr toNlAddr(const IpAddress& address, unsigned prefixLength) {
  NlAddrPtr addr(nl_addr_build(address.family(), address.bytes(), address.size()));
  if (addr) {
    nl_addr_set_prefixlen(addr.get(), static_cast<int>(prefixLength));
  }
  return addr;
}

namespace {

int errnoFromNl(int nlCode) {
  switch (nlCode) {
    case NLE_EXIST:
      return EEXIST;
    case NLE_NOADDR:
      return EADDRNOTAVAIL;
    case NLE_NODEV:
      return ENODEV;
    case NLE_PERM:
      return EPERM;
    case NLE_NOACCESS:
      return EACCES;
    case NLE_INVAL:
      return EINVAL;
    case NLE_RANGE:
      return ERANGE;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_BUSY:
      return EBUSY;
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_OBJ_NOTFOUND:
      return ENOENT;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT:
      return EAFNOSUPPORT;
    case NLE_NOATTR:
      return ENOENT;
    case NLE_MSGSIZE:
      return EMSGSIZE;
    case NLE_BAD_SOCK:
      return EBADF;
    default:
      return EIO;
  }
}

}  // namespace

Error nlError(int nlReturn, std::string what) {
  int code = nlReturn < 0 ? -nlReturn : nlReturn;
  return Error{errnoFromNl(code), std::move(what)};
}

Result<int> interfaceIndex(const std::string& name) {
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0) {
    return errnoError("interface " + name);
  }
  return static_cast<int>(index);
}

}  // namespace vigil::netlink
