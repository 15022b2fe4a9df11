#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/event_loop.h"
#include "core/unique_fd.h"

// Disconnected TCP sockets that TCP_CHECK probes reuse instead of making and
// closing one per check. A check only needs a handshake; after it the socket
// is reset with connect(AF_UNSPEC) (a RST, as closing with a zero linger
// sends) and kept, still registered on the loop. Per check that saves the
// socket(2) and close(2) work (socket, file and fd setup and teardown) and
// the epoll add and delete: in tests/bench/check_scale those were about a
// fifth of the check worker's CPU per check, nearly all of it in the kernel.
//
// The check worker makes one per loop and hands it to the TCP_CHECK probes
// through ProbeDeps (check/probe_factory.h); it must outlive them. Only
// probes without bind options use it (bindto, bind_port, bind_if and
// fwmark stay on the socket they were set on). The pool makes a socket only
// when none is idle, so it holds as many descriptors as checks were ever in
// flight at once, not one per real server; kMaxIdle and the idle budget
// bound that, and the pool never closes idle sockets otherwise.
namespace vigil::check {

// Whether a TCP_CHECK's connect sends the handshake's final ACK before the
// probe resets it (see withholdFinalAck, check/socket_options.h).
enum class TcpFinalAck : uint8_t {
  // The default (`tcp_check_mode connect`): the wire carries SYN, SYN-ACK,
  // RST, so the server never builds the connection and its application
  // never sees it. The kernel's connect() still completes on the SYN-ACK.
  // PlainHttpFetch's sockets are Withheld too: there the ACK rides on the
  // request sent right after.
  Withheld,
  // `tcp_check_mode handshake`, keepalived's way: SYN, SYN-ACK, ACK, RST;
  // the server accepts a connection and sees it reset.
  Sent,
};

class TcpSocketPool {
 public:
  // Per family and TcpFinalAck. The check worker's pacer lets at most
  // twice one 50 ms tick's checks be in flight (2,000 at 20,000 checks/s),
  // and every check of a tick takes its socket at once: a pool that keeps
  // fewer than that closes the surplus at the end of every tick and makes
  // it anew at the next, a socket, setsockopt and close each (a cap of 256
  // did so for 2 % of the checks at 5,000 checks/s in
  // tests/bench/check_scale, 11 % of the worker's CPU). 4,096 keeps them
  // all up to 40,000 checks/s.
  static constexpr size_t kMaxIdle = 4096;

  // The most idle sockets the pool keeps in all (its four lists together)
  // in a process that may hold `descriptorLimit` descriptors (its
  // RLIMIT_NOFILE soft limit): an eighth of them. Idle sockets stay open
  // for the process's life, and the descriptors they hold are the ones
  // HTTP_GET connections, MISC_CHECK pipes and bound TCP_CHECKs need (those
  // fail with EMFILE otherwise); a container's limit may be 1,024, which
  // kMaxIdle x 4 would take whole. Past the budget a check only costs a
  // socket made and closed again, as it did before the pool.
  static size_t idleBudgetFor(uint64_t descriptorLimit);
  // idleBudgetFor() this process's soft RLIMIT_NOFILE, read now (after the
  // check worker has raised it), or of the usual 1,024 when it cannot be
  // read.
  static size_t idleBudgetOfThisProcess();

  // Hears the epoll events of the socket it holds, from armWritable() on.
  class Client {
   public:
    virtual void onSocketEvents(uint32_t epollEvents) = 0;

   protected:
    ~Client() = default;
  };

  class Socket {
   public:
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_.get(); }
    // After a connect that returned EINPROGRESS: report EPOLLOUT (the
    // handshake finished) or an error, once, to the client (and with a
    // pool's `watchEvents` that hold EPOLLIN, every later edge of the
    // connection). The first call registers the socket with the loop for
    // good, edge-triggered: every handshake that ends wakes it anew, so later
    // calls make no system call.
    // An edge without a client (the disconnect's, at release) is dropped; one
    // that is still queued when the socket is taken again is not reported,
    // since epoll re-reads the socket's state (connecting: nothing) first.
    void armWritable();

   private:
    friend class TcpSocketPool;
    Socket(EventLoop& loop, UniqueFd fd, int family, TcpFinalAck finalAck, uint32_t watchEvents)
        : loop_(loop),
          fd_(std::move(fd)),
          family_(family),
          finalAck_(finalAck),
          watchEvents_(watchEvents) {}

    EventLoop& loop_;
    UniqueFd fd_;
    int family_;
    TcpFinalAck finalAck_;
    uint32_t watchEvents_;
    Client* client_ = nullptr;  // null while idle: late events are dropped
    std::unique_ptr<FdWatch> watch_;
  };
  using Lease = std::unique_ptr<Socket>;

  // What TCP_CHECK's connects need: the end of the handshake.
  static constexpr uint32_t kConnectEvents = EPOLLOUT | EPOLLET;
  // What a request and its response need (PlainHttpFetch): the handshake's
  // end, then data and the server's close.
  static constexpr uint32_t kStreamEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

  // Keeps at most kMaxIdle idle sockets per family and TcpFinalAck and
  // `idleBudget` in all (see idleBudgetFor). Its sockets are registered
  // with `watchEvents` (edge-triggered).
  TcpSocketPool(EventLoop& loop, size_t idleBudget, uint32_t watchEvents = kConnectEvents)
      : loop_(loop), idleBudget_(idleBudget), watchEvents_(watchEvents) {}
  TcpSocketPool(const TcpSocketPool&) = delete;
  TcpSocketPool& operator=(const TcpSocketPool&) = delete;

  // An unconnected non-blocking socket of `family` (AF_INET, AF_INET6) whose
  // events go to `client` and whose handshakes send or withhold the final
  // ACK as `finalAck` says; null when socket(2) fails (errno is set).
  Lease acquire(int family, TcpFinalAck finalAck, Client& client);
  // Resets the socket's connection (a RST when it was established) and
  // keeps it for the next acquire, or closes it when that fails or its
  // list holds kMaxIdle or the pool its idle budget.
  void release(Lease socket);

  size_t idleCount() const;

 private:
  std::vector<Lease>& idleOf(int family, TcpFinalAck finalAck) {
    return idle_[family == AF_INET6 ? 1 : 0][static_cast<size_t>(finalAck)];
  }

  EventLoop& loop_;
  size_t idleBudget_;
  uint32_t watchEvents_;
  std::vector<Lease> idle_[2][2];  // [AF_INET, AF_INET6][TcpFinalAck]
};

}  // namespace vigil::check
