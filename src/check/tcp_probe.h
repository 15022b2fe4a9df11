#pragma once

#include <cstdint>
#include <memory>

#include "check/probe.h"
#include "check/tcp_socket_pool.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/unique_fd.h"

// TCP_CHECK: one non-blocking connect to the target per attempt, watched on
// the loop; the connection is reset (a RST, see tcp_probe.cpp) as soon as
// the connect completes, by default before the handshake's final ACK has
// left (TcpFinalAck, tcp_socket_pool.h). Without bind options the socket
// comes from the worker's TcpSocketPool and goes back to it; with them, or
// without a pool, each attempt makes its own socket.
namespace vigil::check {

class TcpProbe final : public Probe, private TcpSocketPool::Client {
 public:
  // Applies the target's bind options: bindto / bind_port (bind(2)),
  // bind_if (SO_BINDTODEVICE, and the scope of a link-local IPv6 target)
  // and fwmark (SO_MARK). `pool` (may be null) must outlive the probe.
  // `mode` Handshake sends the final ACK; any other mode (Syn reaches here
  // when the worker has no raw socket) withholds it.
  TcpProbe(EventLoop& loop, const config::ProbeTarget& target, TcpSocketPool* pool = nullptr,
           config::TcpCheckMode mode = config::TcpCheckMode::Connect);
  ~TcpProbe() override;

  // Up when the handshake completes; Refused on ECONNREFUSED; NetworkError
  // for any other socket error (unreachable, bind failure, ...).
  void start(Done done) override;
  void abort(AbortReason reason) override;

 private:
  void startBound();
  void startPooled();
  void onSocketEvents(uint32_t epollEvents) override;
  // The connect's end: `epollEvents` as the loop reported them.
  void onConnectDone(int fd, uint32_t epollEvents);
  void complete(ProbeResult result);
  // Reports from a posted callback: `done` never runs inside start().
  void completeLater(ProbeResult result);
  void release();
  // Where it connects, with its bind options.
  config::ProbeTarget target() const;

  EventLoop& loop_;
  // The target: its address and port here, and the whole of it only with
  // bind options (a 64-byte copy per TCP_CHECK otherwise; issue 4).
  IpAddress address_;
  uint16_t port_;
  TcpFinalAck finalAck_;
  UniqueFd fd_;  // the attempt's own socket, or the lease's below
  // Bumped by start() and abort(): stale posts are dropped (only equality
  // counts).
  uint32_t attempt_ = 0;
  std::unique_ptr<const config::ProbeTarget> bound_;
  TcpSocketPool* pool_;         // null: bind options or no pool, own sockets
  TcpSocketPool::Lease lease_;  // the pooled socket of the attempt
  std::unique_ptr<FdWatch> watch_;
  Done done_;
  // Made by the first completeLater(): most probes never post (an attempt
  // ends on a socket event), and this is one allocation per TCP_CHECK.
  std::shared_ptr<int> alive_;
};

}  // namespace vigil::check
