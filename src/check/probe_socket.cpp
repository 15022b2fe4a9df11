#include "check/probe_socket.h"

#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::check {

socklen_t fillSockaddr(sockaddr_storage& out, int family, const IpAddress& address, uint16_t port,
                       unsigned ifindex) {
  std::memset(&out, 0, sizeof(out));
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (!address.empty()) {
      std::memcpy(&sin->sin_addr, address.bytes(), 4);
    }
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  if (!address.empty()) {
    std::memcpy(&sin6->sin6_addr, address.bytes(), 16);
    if (address.isLinkLocal()) {
      sin6->sin6_scope_id = ifindex;
    }
  }
  return sizeof(sockaddr_in6);
}

Result<ProbeSocket> openProbeSocket(const config::ProbeTarget& target, int type, int protocol) {
  if (target.address.empty()) {
    return Error{EDESTADDRREQ, "no address to probe"};
  }
  const int family = target.address.family();
  ProbeSocket out;
  out.fd.reset(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!out.fd) {
    return errnoError("socket");
  }
  if (target.fwmark != 0 &&
      ::setsockopt(out.fd.get(), SOL_SOCKET, SO_MARK, &target.fwmark, sizeof(target.fwmark)) < 0) {
    return errnoError("setsockopt SO_MARK");
  }
  unsigned ifindex = 0;
  if (!target.bindInterface.empty()) {
    std::string name(target.bindInterface.view());
    if (::setsockopt(out.fd.get(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                     static_cast<socklen_t>(name.size())) < 0) {
      return errnoError("bind_if " + name);
    }
    ifindex = ::if_nametoindex(name.c_str());
  }
  sockaddr_storage addr;
  if (!target.bindAddress.empty() || target.bindPort != 0) {
    socklen_t len = fillSockaddr(addr, family, target.bindAddress, target.bindPort, ifindex);
    if (::bind(out.fd.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      return errnoError("bind " + target.bindAddress.toString());
    }
  }
  socklen_t len = fillSockaddr(addr, family, target.address, target.port, ifindex);
  if (::connect(out.fd.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    out.connected = true;
  } else if (errno != EINPROGRESS) {
    return errnoError("connect");
  }
  return out;
}

ProbeResult socketFailure(const Error& error) {
  return ProbeResult{error.code == ECONNREFUSED ? Outcome::Refused : Outcome::NetworkError,
                     std::nullopt, error.describe()};
}

SocketProbe::~SocketProbe() { SocketProbe::release(); }

void SocketProbe::begin(Done done) {
  release();
  ++attempt_;
  done_ = std::move(done);
}

void SocketProbe::abort() {
  ++attempt_;
  done_ = nullptr;
  release();
}

void SocketProbe::finish(ProbeResult result) {
  release();
  if (auto done = std::move(done_)) {
    done_ = nullptr;
    done(std::move(result));
  }
}

void SocketProbe::finishLater(ProbeResult result) {
  loop_.post([this, alive = std::weak_ptr<int>(alive_), attempt = attempt_,
              result = std::move(result)]() mutable {
    if (!alive.expired() && attempt == attempt_) {
      finish(std::move(result));
    }
  });
}

void SocketProbe::watch(uint32_t events, std::function<void(uint32_t)> onEvents) {
  watch_ = loop_.watchFd(fd_.get(), events, std::move(onEvents));
}

void SocketProbe::release() {
  // Closing first drops the epoll registration with the socket (see
  // tcp_probe.cpp).
  fd_.reset();
  watch_.reset();
}

}  // namespace vigil::check
