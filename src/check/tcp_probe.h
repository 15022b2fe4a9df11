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

class TcpProbe final : public Probe {
 public:
  // Applies the target's bind options: bindto / bind_port (bind(2)),
  // bind_if (SO_BINDTODEVICE, and the scope of a link-local IPv6 target)
  // and fwmark (SO_MARK). `pool` (may be null) must outlive the probe.
  // `mode` Handshake sends the final ACK; any other mode (Syn reaches here
  // when the worker has no raw socket) withholds it.
  TcpProbe(EventLoop& loop, const config::ProbeTarget& target, TcpSocketPool* pool = nullptr,
           config::TcpCheckMode mode = config::TcpCheckMode::Connect);
  ~TcpProbe() override;
  TcpProbe(const TcpProbe&) = delete;
  TcpProbe& operator=(const TcpProbe&) = delete;

  // Up when the handshake completes; Refused on ECONNREFUSED; NetworkError
  // for any other socket error (unreachable, bind failure, ...).
  void start(Done done) override;
  void abort(AbortReason reason) override;

  // Whether an attempt is in flight (holding its state).
  bool inFlight() const { return attempt_ != nullptr; }

 private:
  // What an attempt holds while it is in flight: its `done`, its socket
  // and watch. Made by start() and freed as the attempt ends (reported,
  // aborted, or the probe destroyed), so a probe between attempts holds
  // none of it: at 20,000 checks/s with sub-millisecond connects a few
  // hundred of 20,000 TcpProbes are in flight (issue 4). Its blocks are
  // all of one size, so glibc's per-thread cache and fast bins hand the
  // last one freed back to the next start(): no heap walk per attempt.
  class Attempt;

  void startBound(Attempt& attempt);
  void startPooled(Attempt& attempt);
  // The connect's end: `epollEvents` as the loop reported them.
  void onConnectDone(int fd, uint32_t epollEvents);
  // Ends the attempt in flight (its state freed) and reports `result`.
  void complete(ProbeResult result);
  // Reports from a posted callback: `done` never runs inside start().
  void completeLater(ProbeResult result);
  // Frees the attempt's state: the pooled socket back to the pool, its own
  // socket closed.
  void release();
  // Where it connects, with its bind options.
  config::ProbeTarget target() const;

  EventLoop& loop_;
  // The target: its address and port here, and the whole of it only with
  // bind options (a 64-byte copy per TCP_CHECK otherwise; issue 4).
  IpAddress address_;
  uint16_t port_;
  TcpFinalAck finalAck_;
  // Which of pool_ and bound_ below is set: a probe with bind options
  // never uses the pool, so one word holds either (a 64-byte block for the
  // whole probe instead of an 80-byte one).
  bool pooled_;
  union {
    TcpSocketPool* pool_;               // pooled_: the worker's pool
    const config::ProbeTarget* bound_;  // else: owned; null without bind options
  };
  std::unique_ptr<Attempt> attempt_;  // null between attempts
};

}  // namespace vigil::check
