#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

#include "core/ip_address.h"
#include "core/unique_fd.h"
#include "support/netns.h"

namespace vigil::test {

// A non-blocking TCP listener on address:port, opened inside `ns` (the
// socket stays in that namespace); invalid when entering it, bind or listen
// fails.
inline UniqueFd listenInNetNs(const NetNs& ns, const IpAddress& address, uint16_t port) {
  NetNsEnter inside(ns);
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (address.isV6()) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(addr);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, address.bytes(), 16);
    len = sizeof(in6);
  } else {
    auto& in = reinterpret_cast<sockaddr_in&>(addr);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, address.bytes(), 4);
    len = sizeof(in);
  }
  if (!inside.ok() || !fd.valid() ||
      ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0 || ::listen(fd.get(), 64) < 0) {
    return UniqueFd();
  }
  return fd;
}

}  // namespace vigil::test
