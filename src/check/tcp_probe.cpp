#include "check/tcp_probe.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/result.h"

namespace vigil::check {
namespace {

// A sockaddr for address:port (any address of `family` when address is
// empty), scoped to `ifindex` when it is a link-local IPv6 address.
socklen_t fillAddress(sockaddr_storage& out, int family, const IpAddress& address, uint16_t port,
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

Outcome outcomeOf(int error) {
  return error == ECONNREFUSED ? Outcome::Refused : Outcome::NetworkError;
}

ProbeResult failure(Outcome outcome, const Error& error) {
  return ProbeResult{outcome, std::nullopt, error.describe()};
}

bool hasBindOptions(const config::ProbeTarget& target) {
  return !target.bindAddress.empty() || target.bindPort != 0 || !target.bindInterface.empty() ||
         target.fwmark != 0;
}

// Starts the connect on `fd`. Returns whether it already completed.
Result<bool> connectTo(int fd, const config::ProbeTarget& target, unsigned ifindex) {
  sockaddr_storage addr;
  socklen_t len = fillAddress(addr, target.address.family(), target.address, target.port, ifindex);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    return true;
  }
  if (errno != EINPROGRESS) {
    return errnoError("connect");
  }
  return false;
}

// Applies the bind options to `fd` and starts the connect. Returns whether
// the connect already completed.
Result<bool> bindAndConnect(const UniqueFd& fd, const config::ProbeTarget& target) {
  int family = target.address.family();
  if (target.fwmark != 0 &&
      ::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &target.fwmark, sizeof(target.fwmark)) < 0) {
    return errnoError("setsockopt SO_MARK");
  }
  unsigned ifindex = 0;
  if (!target.bindInterface.empty()) {
    std::string name(target.bindInterface.view());
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                     static_cast<socklen_t>(name.size())) < 0) {
      return errnoError("bind_if " + name);
    }
    ifindex = ::if_nametoindex(name.c_str());
  }
  if (!target.bindAddress.empty() || target.bindPort != 0) {
    sockaddr_storage addr;
    socklen_t len = fillAddress(addr, family, target.bindAddress, target.bindPort, ifindex);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      return errnoError("bind " + target.bindAddress.toString());
    }
  }
  return connectTo(fd.get(), target, ifindex);
}

// The handshake is all a TCP_CHECK needs: closing with a RST (SO_LINGER
// with a zero timeout) instead of a FIN leaves no TIME_WAIT socket behind
// (20,000 checks/s would hold over a million for the 60 s TIME_WAIT lasts,
// more than tcp_max_tw_buckets) and skips the FIN/ACK exchange: about a
// fifth of the checker's CPU per check in tests/bench/check_scale. The
// real server sees its accepted connection reset instead of closed.
void closeWithReset(const UniqueFd& fd) {
  linger abortive{};
  abortive.l_onoff = 1;
  abortive.l_linger = 0;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
}

}  // namespace

TcpProbe::TcpProbe(EventLoop& loop, const config::ProbeTarget& target)
    : loop_(loop),
      target_(target),
      pool_(hasBindOptions(target) ? nullptr : TcpSocketPool::forLoop(loop)) {}

TcpProbe::~TcpProbe() { release(); }

void TcpProbe::start(Done done) {
  release();
  ++attempt_;
  done_ = std::move(done);
  if (target_.address.empty()) {
    completeLater(ProbeResult{Outcome::Internal, std::nullopt, "no address to connect to"});
    return;
  }
  if (pool_) {
    startPooled();
  } else {
    startBound();
  }
}

void TcpProbe::startPooled() {
  lease_ = pool_->acquire(target_.address.family(), *this);
  if (!lease_) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  auto connected = connectTo(lease_->fd(), target_, 0);
  if (!connected || *connected) {
    release();  // resets an established connection
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  lease_->armWritable();
}

void TcpProbe::startBound() {
  fd_.reset(::socket(target_.address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  auto connected = bindAndConnect(fd_, target_);
  if (!connected || *connected) {
    if (connected) {
      closeWithReset(fd_);
    }
    release();
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  watch_ = loop_.watchFd(fd_.get(), EPOLLOUT, [this](uint32_t) { onWritable(fd_.get()); });
}

void TcpProbe::onSocketEvents(uint32_t epollEvents) {
  if (!lease_) {
    return;
  }
  if ((epollEvents & EPOLLHUP) != 0 && (epollEvents & EPOLLERR) == 0) {
    // A hang-up without an error is what a disconnected socket reports: a
    // late event from the socket's previous use, not this handshake (which
    // ends in EPOLLOUT, or EPOLLERR with the error). Wait for the real one.
    lease_->armWritable();
    return;
  }
  onWritable(lease_->fd());
}

void TcpProbe::onWritable(int fd) {
  int error = 0;
  socklen_t len = sizeof(error);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
    error = errno;
  }
  if (error == 0 && fd_) {
    closeWithReset(fd_);
  }
  release();
  if (error == 0) {
    complete(ProbeResult{Outcome::Up, std::nullopt, "connected"});
  } else {
    complete(failure(outcomeOf(error), Error{error, "connect"}));
  }
}

void TcpProbe::abort() {
  ++attempt_;
  done_ = nullptr;
  release();
}

void TcpProbe::complete(ProbeResult result) {
  if (auto done = std::move(done_)) {
    done_ = nullptr;
    done(std::move(result));
  }
}

void TcpProbe::completeLater(ProbeResult result) {
  loop_.post([this, alive = std::weak_ptr<int>(alive_), attempt = attempt_,
              result = std::move(result)]() mutable {
    if (!alive.expired() && attempt == attempt_) {
      complete(std::move(result));
    }
  });
}

void TcpProbe::release() {
  if (lease_) {
    pool_->release(std::move(lease_));
  }
  // Closing first lets close(2) drop the epoll registration with the
  // socket; the watch's own EPOLL_CTL_DEL then fails at once with EBADF
  // instead of doing that work in a second system call.
  fd_.reset();
  watch_.reset();
}

}  // namespace vigil::check
