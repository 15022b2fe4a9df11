#pragma once

#include <cstdint>
#include <functional>

#include "check/icmp_echo.h"
#include "check/probe_socket.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// PING_CHECK: one ICMP (or ICMPv6) echo request per attempt. It uses an
// unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) when
// net.ipv4.ping_group_range admits the process's group, and a raw socket
// (CAP_NET_RAW) otherwise.
namespace vigil::check {

class PingProbe final : public SocketProbe {
 public:
  // Identifiers for raw sockets (a ping socket's is the kernel's choice).
  using IdSource = std::function<uint16_t()>;

  PingProbe(EventLoop& loop, const config::ProbeTarget& target, IdSource ids);

  // Up on the matching echo reply. NetworkError when no socket can be
  // opened (neither ping socket nor raw) or the kernel reports the target
  // unreachable; no reply is the checker's Timeout.
  void start(Done done) override;

 private:
  enum class Kind { Unknown, Ping, Raw };

  // A connected ICMP socket of the kind that works here, learning it on
  // the first attempt.
  Result<ProbeSocket> openSocket();
  void onReadable();

  config::ProbeTarget target_;
  IdSource ids_;
  Kind kind_ = Kind::Unknown;
  uint16_t sequence_ = 0;
  EchoMatch match_;
};

}  // namespace vigil::check
