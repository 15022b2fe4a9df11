#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "check/probe_socket.h"
#include "check/smtp_reply.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// SMTP_CHECK: for each host in turn (the checker's own target or its
// host { } blocks), connect, read the 220 greeting, send HELO <helo_name>,
// expect 250, send QUIT, expect 221 (the codes keepalived checks). The
// attempt is up only when every host passes.
namespace vigil::check {

class SmtpProbe final : public SocketProbe {
 public:
  // `hostTimeout` (connect_timeout) bounds each host's dialogue; the
  // checker's attempt timeout should allow one per host (see
  // attemptTimeout()).
  SmtpProbe(EventLoop& loop, const config::SmtpCheck& smtp, Duration hostTimeout);
  ~SmtpProbe() override;

  // Up when every host's dialogue completes. Refused / NetworkError for a
  // failed connect; BadReply when a server answers with an unexpected code,
  // garbage, or closes early; Timeout when a host is silent past
  // connect_timeout.
  void start(Done done) override;

 private:
  enum class Phase { Connecting, Greeting, Helo, Quit };

  void startHost();
  void onEvents(uint32_t events);
  void onConnected();
  void onReadable();
  void onReply(int code);
  bool send(const std::string& line);
  void fail(Outcome outcome, const std::string& what);
  void release() override;

  config::SmtpCheck smtp_;
  Duration hostTimeout_;
  std::unique_ptr<Timer> hostTimer_;
  size_t host_ = 0;
  Phase phase_ = Phase::Connecting;
  SmtpReplyReader reply_;
};

}  // namespace vigil::check
