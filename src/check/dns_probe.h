#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "check/probe_socket.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// DNS_CHECK: one UDP query per attempt to the target (connect_port, usually
// 53); see check/dns_message.h for what counts as an answer.
namespace vigil::check {

class DnsProbe final : public SocketProbe {
 public:
  // Where query ids come from; a fresh random id per attempt keeps a late
  // reply to an earlier attempt from passing for this one's.
  using IdSource = std::function<uint16_t()>;

  DnsProbe(EventLoop& loop, const config::ProbeTarget& target, const config::DnsCheck& dns,
           IdSource ids);

  // Up on a NOERROR reply with answers. BadReply for an error code, an
  // empty answer or a reply not echoing the question; Refused on ICMP port
  // unreachable; no reply at all is the checker's Timeout. Datagrams with
  // another id are ignored.
  void start(Done done) override;

 private:
  void onReadable();

  config::ProbeTarget target_;
  config::DnsCheck dns_;
  IdSource ids_;
  std::vector<uint8_t> query_;
};

}  // namespace vigil::check
