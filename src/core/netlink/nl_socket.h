#pragma once

#include <memory>
#include <string>

#include "core/ip_address.h"
#include "core/result.h"

struct nl_sock;
struct nl_addr;

namespace vigil::netlink {

// Sole owner of a libnl socket connected to NETLINK_ROUTE.
class NlSocket {
 public:
  static Result<NlSocket> connectRoute();

  nl_sock* get() const { return sock_.get(); }

 private:
  struct Free {
    void operator()(nl_sock* s) const;
  };
  explicit NlSocket(nl_sock* s) : sock_(s) {}
  std::unique_ptr<nl_sock, Free> sock_;
};

struct NlAddrFree {
  void operator()(nl_addr* a) const;
};
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrFree>;

// An nl_addr holding `address` with the given prefix length.
NlAddrPtr toNlAddr(const IpAddress& address, unsigned prefixLength);

// Turns a negative libnl return code into an Error whose code is the errno
// the kernel (most likely) reported, so callers can test for EEXIST etc.
Error nlError(int nlReturn, std::string what);

// if_nametoindex with an Error naming the interface.
Result<int> interfaceIndex(const std::string& name);

}  // namespace vigil::netlink
