#include "check/tcp_socket_pool.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "check/socket_options.h"

namespace vigil::check {

size_t TcpSocketPool::idleBudgetFor(uint64_t descriptorLimit) {
  return static_cast<size_t>(std::min<uint64_t>(descriptorLimit / 8, 4 * kMaxIdle));
}

size_t TcpSocketPool::idleBudgetOfThisProcess() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return idleBudgetFor(1024);  // the usual soft limit
  }
  return idleBudgetFor(limit.rlim_cur);  // RLIM_INFINITY: the largest value, so 4 x kMaxIdle
}

TcpSocketPool::Socket::~Socket() {
  // Closing first drops the epoll registration with the socket; the
  // watch's own EPOLL_CTL_DEL then fails at once with EBADF.
  fd_.reset();
  watch_.reset();
}

void TcpSocketPool::Socket::armWritable() {
  if (watch_) {
    return;
  }
  watch_ = loop_.watchFd(fd_.get(), watchEvents_, [this](uint32_t events) {
    if (client_ != nullptr) {
      client_->onSocketEvents(events);
    }
  });
}

TcpSocketPool::Lease TcpSocketPool::acquire(int family, TcpFinalAck finalAck, Client& client) {
  std::vector<Lease>& idle = idleOf(family, finalAck);
  Lease socket;
  if (!idle.empty()) {
    socket = std::move(idle.back());
    idle.pop_back();
  } else {
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      return nullptr;
    }
    if (finalAck == TcpFinalAck::Withheld) {
      (void)withholdFinalAck(fd.get());
    }
    socket = Lease(new Socket(loop_, std::move(fd), family, finalAck, watchEvents_));
  }
  socket->client_ = &client;
  return socket;
}

void TcpSocketPool::release(Lease socket) {
  if (!socket) {
    return;
  }
  socket->client_ = nullptr;
  // connect(AF_UNSPEC) disconnects a TCP socket whatever its state: a RST
  // when established (so no TIME_WAIT is left, as with a zero linger),
  // nothing on the wire while the SYN is unanswered. The socket can then
  // connect again, from a new ephemeral port.
  sockaddr unspecified{};
  unspecified.sa_family = AF_UNSPEC;
  if (::connect(socket->fd(), &unspecified, sizeof(unspecified)) != 0) {
    (void)closeAbortively(socket->fd());
    return;  // closed with a RST by the Lease going out of scope
  }
  std::vector<Lease>& idle = idleOf(socket->family_, socket->finalAck_);
  if (idle.size() >= kMaxIdle || idleCount() >= idleBudget_) {
    return;
  }
  // The disconnect leaves ECONNRESET pending on the socket, but nothing
  // needs to clear it: the next connect does (Linux resets the socket's
  // error when it starts a connection, tcp_connect_init), and until then
  // the socket has no client to report an EPOLLERR to
  // (TcpProbeTest.ATimedOutAttemptLeavesNoErrorForTheNextOne).
  idle.push_back(std::move(socket));
}

size_t TcpSocketPool::idleCount() const {
  size_t count = 0;
  for (const auto& family : idle_) {
    for (const std::vector<Lease>& idle : family) {
      count += idle.size();
    }
  }
  return count;
}

}  // namespace vigil::check
