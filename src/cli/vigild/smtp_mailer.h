#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "check/smtp_reply.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/ip_address.h"

namespace vigil::cli {

// One TCP connection to the mail server. Sending never blocks (bytes are
// buffered); events arrive on the loop, never from inside open() or send().
class SmtpConnection {
 public:
  struct Handlers {
    std::function<void()> connected;
    std::function<void(std::string_view)> received;
    std::function<void(const std::string&)> failed;  // refused, reset, closed
  };
  virtual ~SmtpConnection() = default;
  virtual void send(std::string_view bytes) = 0;
};

class SmtpTransport {
 public:
  virtual ~SmtpTransport() = default;
  virtual std::unique_ptr<SmtpConnection> open(const IpAddress& address, uint16_t port,
                                               SmtpConnection::Handlers handlers) = 0;
};

// Non-blocking TCP on the loop.
class PosixSmtpTransport : public SmtpTransport {
 public:
  explicit PosixSmtpTransport(EventLoop& loop) : loop_(loop) {}
  std::unique_ptr<SmtpConnection> open(const IpAddress& address, uint16_t port,
                                       SmtpConnection::Handlers handlers) override;

 private:
  EventLoop& loop_;
};

struct OutgoingMail {
  std::string from;
  std::vector<std::string> to;
  std::string message;  // RFC 5322 text, not yet dot-stuffed
};

// Sends queued mails one at a time, one SMTP dialogue (RFC 5321: greeting,
// HELO, MAIL FROM, RCPT TO each, DATA, QUIT) per mail, on the caller's loop.
// Nothing here ever waits: every step is a reply callback or a timer. Each
// reply must come within `timeout` (smtp_connect_timeout) or the mail fails.
// A mail is tried once (keepalived does not retry either); the queue holds at
// most kMaxQueued, and a mail submitted to a full queue pushes out the oldest
// (counted in dropped): the newest state is the one worth telling.
class SmtpMailer {
 public:
  struct Options {
    IpAddress address;
    uint16_t port = 25;
    std::string heloName;
    Duration timeout = std::chrono::seconds(30);
  };
  // Why a mail failed; the order of monitor::kSmtpFailReasons.
  enum class FailReason : uint8_t {
    Connection,  // refused, reset or closed by the server
    Timeout,     // no reply within `timeout`
    Rejected,    // a reply it should not give, malformed, or no recipient
  };
  static constexpr size_t kFailReasons = 3;
  struct Counters {
    uint64_t sent = 0;                              // the server took the message (250 after DATA)
    uint64_t failed = 0;                            // all of failedBy
    uint64_t dropped = 0;                           // pushed out of a full queue
    std::array<uint64_t, kFailReasons> failedBy{};  // by FailReason
  };
  static constexpr size_t kMaxQueued = 32;

  SmtpMailer(EventLoop& loop, SmtpTransport& transport, Options options);
  ~SmtpMailer();

  // Takes effect from the next mail (a reload).
  void setOptions(Options options) { options_ = std::move(options); }
  void submit(OutgoingMail mail);

  const Counters& counters() const { return counters_; }
  size_t queued() const { return queue_.size(); }
  bool busy() const { return step_ != Step::Idle; }
  // Why the last mail failed, for the log; empty when none did.
  const std::string& lastError() const { return lastError_; }

 private:
  enum class Step { Idle, Connecting, Greeting, Helo, MailFrom, RcptTo, Data, Body, Quit };

  void startNext();
  void onConnected();
  void onReceived(std::string_view bytes);
  void onReply(int code);
  void send(const std::string& line, Step next);
  void fail(FailReason reason, const std::string& why);
  void finish();

  EventLoop& loop_;
  SmtpTransport& transport_;
  Options options_;
  std::deque<OutgoingMail> queue_;
  OutgoingMail current_;
  size_t recipient_ = 0;
  Step step_ = Step::Idle;
  check::SmtpReplyReader reader_;
  std::unique_ptr<SmtpConnection> connection_;
  std::unique_ptr<Timer> timeout_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted callbacks check it
  Counters counters_;
  std::string lastError_;
};

}  // namespace vigil::cli
