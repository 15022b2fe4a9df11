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

class TcpProbe::Attempt final : private TcpSocketPool::Client {
 public:
  Attempt(TcpProbe& probe, Done done) : done(std::move(done)), probe_(probe) {}
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  ~Attempt() = default;

  // What the pool reports the pooled socket's events to.
  TcpSocketPool::Client& client() { return *this; }

  Done done;
  UniqueFd fd;                     // the attempt's own socket, or
  TcpSocketPool::Lease lease;      // the pooled one
  std::unique_ptr<FdWatch> watch;  // the own socket's
  // Made by the first completeLater() (most attempts end on a socket
  // event): its posts hold it weakly, so one that runs after the attempt
  // ended (and this was freed) does nothing.
  std::shared_ptr<int> alive;

 private:
  void onSocketEvents(uint32_t epollEvents) override;

  TcpProbe& probe_;
};

void TcpProbe::Attempt::onSocketEvents(uint32_t epollEvents) {
  if (!lease) {
    return;
  }
  if ((epollEvents & EPOLLHUP) != 0 && (epollEvents & EPOLLERR) == 0) {
    // A hang-up without an error is what a disconnected socket reports: a
    // late event from the socket's previous use, not this handshake (which
    // ends in EPOLLOUT, or EPOLLERR with the error). Wait for the real one:
    // its edge comes when the handshake ends.
    return;
  }
  probe_.onConnectDone(lease->fd(), epollEvents);  // frees this
}

TcpProbe::TcpProbe(EventLoop& loop, const config::ProbeTarget& target, TcpSocketPool* pool,
                   config::TcpCheckMode mode)
    : loop_(loop),
      address_(target.address),
      port_(target.port),
      finalAck_(mode == config::TcpCheckMode::Handshake ? TcpFinalAck::Sent
                                                        : TcpFinalAck::Withheld),
      pooled_(pool != nullptr && !target.bound()) {
  if (pooled_) {
    pool_ = pool;
  } else {
    bound_ = target.bound() ? new config::ProbeTarget(target) : nullptr;
  }
}

config::ProbeTarget TcpProbe::target() const {
  if (!pooled_ && bound_ != nullptr) return *bound_;
  config::ProbeTarget target;
  target.address = address_;
  target.port = port_;
  return target;
}

TcpProbe::~TcpProbe() {
  release();
  if (!pooled_) delete bound_;
}

void TcpProbe::start(Done done) {
  release();
  attempt_ = std::make_unique<Attempt>(*this, std::move(done));
  if (address_.empty()) {
    completeLater(ProbeResult{Outcome::Internal, std::nullopt, "no address to connect to"});
    return;
  }
  if (pooled_) {
    startPooled(*attempt_);
  } else {
    startBound(*attempt_);
  }
}

void TcpProbe::startPooled(Attempt& attempt) {
  attempt.lease = pool_->acquire(address_.family(), finalAck_, attempt.client());
  if (!attempt.lease) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  auto connected = startConnect(attempt.lease->fd(), target(), 0);
  if (!connected || *connected) {
    pool_->release(std::move(attempt.lease));  // resets an established connection
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  attempt.lease->armWritable();
}

void TcpProbe::startBound(Attempt& attempt) {
  attempt.fd.reset(::socket(address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!attempt.fd) {
    completeLater(failure(Outcome::Internal, errnoError("socket")));
    return;
  }
  if (finalAck_ == TcpFinalAck::Withheld) {
    (void)withholdFinalAck(attempt.fd.get());
  }
  auto connected = bindAndConnect(attempt.fd, target());
  if (!connected || *connected) {
    if (connected) {
      (void)closeAbortively(attempt.fd.get());  // as in onConnectDone
    }
    attempt.fd.reset();
    completeLater(connected ? ProbeResult{Outcome::Up, std::nullopt, "connected"}
                            : failure(outcomeOf(connected.error().code), connected.error()));
    return;
  }
  attempt.watch = loop_.watchFd(attempt.fd.get(), EPOLLOUT, [this](uint32_t epollEvents) {
    onConnectDone(attempt_->fd.get(), epollEvents);
  });
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
  if (error == 0 && attempt_->fd) {
    (void)closeAbortively(attempt_->fd.get());
  }
  if (error == 0) {
    complete(ProbeResult{Outcome::Up, std::nullopt, "connected"});
  } else {
    complete(failure(outcomeOf(error), Error{error, "connect"}));
  }
}

void TcpProbe::abort(AbortReason /*reason*/) { release(); }

void TcpProbe::complete(ProbeResult result) {
  if (!attempt_) return;
  Done done = std::move(attempt_->done);
  release();  // first: `done` may start the next attempt
  if (done) done(std::move(result));
}

void TcpProbe::completeLater(ProbeResult result) {
  Attempt& attempt = *attempt_;
  if (!attempt.alive) {
    attempt.alive = std::make_shared<int>(0);
  }
  loop_.post(
      [this, alive = std::weak_ptr<int>(attempt.alive), result = std::move(result)]() mutable {
        if (!alive.expired()) {
          complete(std::move(result));
        }
      });
}

void TcpProbe::release() {
  if (!attempt_) {
    return;
  }
  if (attempt_->lease) {
    pool_->release(std::move(attempt_->lease));
  }
  // Closing first lets close(2) drop the epoll registration with the
  // socket; the watch's own EPOLL_CTL_DEL then fails at once with EBADF
  // instead of doing that work in a second system call.
  attempt_->fd.reset();
  attempt_->watch.reset();
  attempt_.reset();
}

}  // namespace vigil::check
