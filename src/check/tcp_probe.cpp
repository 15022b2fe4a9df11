#include "check/tcp_probe.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

#include "check/probe_socket.h"
#include "check/socket_options.h"
#include "core/result.h"

namespace vigil::check {
namespace {

Outcome outcomeOf(int error) {
  return error == ECONNREFUSED ? Outcome::Refused : Outcome::NetworkError;
}

ProbeResult failure(Outcome outcome, const Error& error) {
  return ProbeResult{outcome, std::nullopt, error.describe()};
}

// Applies the bind options to `fd` and starts the connect. Returns whether
// the connect already completed.
Result<bool> bindAndConnect(const UniqueFd& fd, const config::ProbeTarget& target) {
  auto ifindex = applyBindOptions(fd.get(), target);
  if (!ifindex) {
    return ifindex.error();
  }
  return startConnect(fd.get(), target, *ifindex);
}

}  // namespace

TcpProbe::TcpProbe(EventLoop& loop, const config::ProbeTarget& target, TcpSocketPool* pool,
                   config::TcpCheckMode mode)
    : loop_(loop),
      address_(target.address),
      port_(target.port),
      finalAck_(mode == config::TcpCheckMode::Handshake ? TcpFinalAck::Sent
                                                        : TcpFinalAck::Withheld),
      bound_(target.bound() ? std::make_unique<const config::ProbeTarget>(target) : nullptr),
      pool_(bound_ ? nullptr : pool) {}

config::ProbeTarget TcpProbe::target() const {
  if (bound_) return *bound_;
  config::ProbeTarget target;
  target.address = address_;
  target.port = port_;
  return target;
}

TcpProbe::~TcpProbe() { release(); }

void TcpProbe::start(Done done) {
  release();
  ++attempt_;
  done_ = std::move(done);
  if (address_.empty()) {
    completeLater(ProbeResult{Outcome::Internal, std::nullopt, "no address to connect to"});
    return;
  }
  if (pool_ != nullptr) {
    startPooled();
  } else {
    startBound();
  }
}

void TcpProbe::startPooled() {
  lease_ = pool_->acquire(address_.family(), finalAck_, *this);
  if (!lease_) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  auto connected = startConnect(lease_->fd(), target(), 0);
  if (!connected || *connected) {
    release();  // resets an established connection
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  lease_->armWritable();
}

void TcpProbe::startBound() {
  fd_.reset(::socket(address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  if (finalAck_ == TcpFinalAck::Withheld) {
    (void)withholdFinalAck(fd_.get());
  }
  auto connected = bindAndConnect(fd_, target());
  if (!connected || *connected) {
    if (connected) {
      (void)closeAbortively(fd_.get());  // as in onConnectDone
    }
    release();
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  watch_ = loop_.watchFd(fd_.get(), EPOLLOUT,
                         [this](uint32_t epollEvents) { onConnectDone(fd_.get(), epollEvents); });
}

void TcpProbe::onSocketEvents(uint32_t epollEvents) {
  if (!lease_) {
    return;
  }
  if ((epollEvents & EPOLLHUP) != 0 && (epollEvents & EPOLLERR) == 0) {
    // A hang-up without an error is what a disconnected socket reports: a
    // late event from the socket's previous use, not this handshake (which
    // ends in EPOLLOUT, or EPOLLERR with the error). Wait for the real one:
    // its edge comes when the handshake ends.
    return;
  }
  onConnectDone(lease_->fd(), epollEvents);
}

void TcpProbe::onConnectDone(int fd, uint32_t epollEvents) {
  // A connect that failed always has its error pending on the socket, and
  // a pending error always shows as EPOLLERR; EPOLLOUT alone is a completed
  // handshake. So SO_ERROR is read only on EPOLLERR (which it also clears):
  // one system call less per check that is up.
  int error = 0;
  if ((epollEvents & EPOLLERR) != 0) {
    socklen_t len = sizeof(error);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
      error = errno;
    }
  }
  // The handshake is all a TCP_CHECK needs: closing with a RST instead of
  // a FIN leaves no TIME_WAIT socket behind (20,000 checks/s would hold over
  // a million for the 60 s TIME_WAIT lasts, more than tcp_max_tw_buckets)
  // and skips the FIN/ACK exchange: about a fifth of the checker's CPU per
  // check in tests/bench/check_scale. With the final ACK withheld the RST
  // ends the server's half-open entry (no connection is built); with it
  // sent the server sees its accepted connection reset instead of closed.
  // A pooled socket is reset by its release instead.
  if (error == 0 && fd_) {
    (void)closeAbortively(fd_.get());
  }
  release();
  if (error == 0) {
    complete(ProbeResult{Outcome::Up, std::nullopt, "connected"});
  } else {
    complete(failure(outcomeOf(error), Error{error, "connect"}));
  }
}

void TcpProbe::abort(AbortReason /*reason*/) {
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
  if (!alive_) {
    alive_ = std::make_shared<int>(0);
  }
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
