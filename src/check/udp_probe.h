#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "check/probe_socket.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// UDP_CHECK: one datagram to the target per attempt over a connected UDP
// socket, so the kernel reports an ICMP port (or host) unreachable as an
// error on it.
namespace vigil::check {

class UdpProbe final : public SocketProbe {
 public:
  // Random bytes for an attempt when no payload is configured.
  using ByteSource = std::function<uint8_t()>;
  static constexpr size_t kRandomPayloadBytes = 16;

  // `silence` (connect_timeout): how long to wait for a reply or an ICMP
  // error. Without require_reply, silence that long is a pass, so the
  // checker's attempt timeout must be longer (see attemptTimeout()).
  UdpProbe(EventLoop& loop, const config::ProbeTarget& target, const config::UdpCheck& udp,
           Duration silence, ByteSource random);
  ~UdpProbe() override;

  // Refused on ICMP port unreachable, NetworkError on other ICMP errors.
  // With require_reply: Up on a reply that passes udpReplyMismatch(),
  // BadReply on one that does not, Timeout on silence. Without: Up on any
  // reply or on silence.
  void start(Done done) override;

 private:
  void onReadable();
  void onSilence();
  void release() override;

  config::ProbeTarget target_;
  config::UdpCheck udp_;
  Duration silence_;
  ByteSource random_;
  std::unique_ptr<Timer> silenceTimer_;
};

}  // namespace vigil::check
