#include "check/probe_socket.h"

#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::check {

socklen_t fillSockaddr(sockaddr_storage& out, int family, const IpAddress& address, uint16_t port,
                       unsigned ifindex) {
  // Only the family's own struct is zeroed (16 or 28 bytes, not the 128 of
  // sockaddr_storage): the kernel reads no further than the length returned.
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    *sin = sockaddr_in{};
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (!address.empty()) {
      std::memcpy(&sin->sin_addr, address.bytes(), 4);
    }
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  *sin6 = sockaddr_in6{};
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

Result<unsigned> applyBindOptions(int fd, const config::ProbeTarget& target) {
  const uint32_t mark = target.fwmark();
  if (mark != 0 && ::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
    return errnoError("setsockopt SO_MARK");
  }
  unsigned ifindex = 0;
  if (!target.bindInterface().empty()) {
    std::string name(target.bindInterface().view());
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                     static_cast<socklen_t>(name.size())) < 0) {
      return errnoError("bind_if " + name);
    }
    ifindex = ::if_nametoindex(name.c_str());
  }
  if (!target.bindAddress().empty() || target.bindPort() != 0) {
    sockaddr_storage addr;
    socklen_t len = fillSockaddr(addr, target.address.family(), target.bindAddress(),
                                 target.bindPort(), ifindex);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      return errnoError("bind " + target.bindAddress().toString());
    }
  }
  return ifindex;
}

Result<bool> startConnect(int fd, const config::ProbeTarget& target, unsigned ifindex) {
  sockaddr_storage addr;
  socklen_t len = fillSockaddr(addr, target.address.family(), target.address, target.port, ifindex);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    return true;
  }
  if (errno != EINPROGRESS) {
    return errnoError("connect");
  }
  return false;
}

Result<ProbeSocket> openProbeSocket(const config::ProbeTarget& target, int type, int protocol) {
  if (target.address.empty()) {
    return Error{EDESTADDRREQ, "no address to probe"};
  }
  ProbeSocket out;
  out.fd.reset(::socket(target.address.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!out.fd) {
    return errnoError("socket");
  }
  auto ifindex = applyBindOptions(out.fd.get(), target);
  if (!ifindex) {
    return ifindex.error();
  }
  auto connected = startConnect(out.fd.get(), target, *ifindex);
  if (!connected) {
    return connected.error();
  }
  out.connected = *connected;
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

void SocketProbe::abort(AbortReason /*reason*/) {
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

std::optional<std::span<const uint8_t>> SocketProbe::receive(std::span<uint8_t> buffer) {
  ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
  if (got >= 0) {
    return buffer.first(static_cast<size_t>(got));
  }
  if (errno != EAGAIN && errno != EINTR) {
    finish(socketFailure(errnoError("recv")));
  }
  return std::nullopt;
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
