#include "cli/vigild/smtp_mailer.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "core/unique_fd.h"
#include "monitor/smtp/smtp_alert_message.h"

namespace vigil::cli {
namespace {

class PosixSmtpConnection : public SmtpConnection {
 public:
  PosixSmtpConnection(EventLoop& loop, const IpAddress& address, uint16_t port, Handlers handlers)
      : loop_(loop), handlers_(std::move(handlers)) {
    fd_.reset(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) {
      failSoon(std::string("socket: ") + std::strerror(errno));
      return;
    }
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.isV4()) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      std::memcpy(&in->sin_addr, address.bytes(), 4);
      length = sizeof(sockaddr_in);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      std::memcpy(&in6->sin6_addr, address.bytes(), 16);
      length = sizeof(sockaddr_in6);
    }
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
        errno != EINPROGRESS) {
      failSoon(std::string("connect: ") + std::strerror(errno));
      return;
    }
    watch_ = loop_.watchFd(fd_.get(), EPOLLOUT, [this](uint32_t events) { onEvents(events); });
  }

  void send(std::string_view bytes) override {
    pending_.append(bytes);
    if (connected_) flush();
  }

 private:
  // Handlers never run inside the constructor: the owner is not ready yet.
  void failSoon(std::string why) {
    loop_.post([alive = alive_, failed = handlers_.failed, why = std::move(why)] {
      if (*alive) failed(why);
    });
  }

  void onEvents(uint32_t events) {
    if (!connected_) {
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
        return fail(std::string("connect: ") + std::strerror(error != 0 ? error : ECONNRESET));
      }
      connected_ = true;
      handlers_.connected();  // never destroys this: the owner defers that
      return flush();
    }
    if ((events & EPOLLOUT) != 0) flush();
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) readSome();
  }

  void readSome() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n > 0) return handlers_.received(std::string_view(buffer, static_cast<size_t>(n)));
    if (n == 0) return fail("the server closed the connection");
    if (errno != EAGAIN && errno != EINTR) fail(std::string("recv: ") + std::strerror(errno));
  }

  void flush() {
    while (!pending_.empty()) {
      const ssize_t n = ::send(fd_.get(), pending_.data(), pending_.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        return fail(std::string("send: ") + std::strerror(errno));
      }
      pending_.erase(0, static_cast<size_t>(n));
    }
    updateEvents();
  }

  void updateEvents() {
    if (watch_) watch_->setEvents(EPOLLIN | (pending_.empty() ? 0u : uint32_t{EPOLLOUT}));
  }

  void fail(const std::string& why) {
    watch_.reset();
    handlers_.failed(why);  // may destroy this
  }

  EventLoop& loop_;
  Handlers handlers_;
  UniqueFd fd_;
  std::unique_ptr<FdWatch> watch_;
  std::string pending_;
  bool connected_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

 public:
  ~PosixSmtpConnection() override { *alive_ = false; }
};

}  // namespace

std::unique_ptr<SmtpConnection> PosixSmtpTransport::open(const IpAddress& address, uint16_t port,
                                                         SmtpConnection::Handlers handlers) {
  return std::make_unique<PosixSmtpConnection>(loop_, address, port, std::move(handlers));
}

SmtpMailer::SmtpMailer(EventLoop& loop, SmtpTransport& transport, Options options)
    : loop_(loop), transport_(transport), options_(std::move(options)) {
  timeout_ = loop_.createTimer(
      [this] { fail(FailReason::Timeout, "no reply within the smtp_connect_timeout"); });
}

SmtpMailer::~SmtpMailer() { *alive_ = false; }

void SmtpMailer::submit(OutgoingMail mail) {
  if (queue_.size() == kMaxQueued) {
    queue_.pop_front();
    ++counters_.dropped;
  }
  queue_.push_back(std::move(mail));
  if (step_ == Step::Idle) startNext();
}

void SmtpMailer::startNext() {
  if (step_ != Step::Idle || queue_.empty()) return;
  current_ = std::move(queue_.front());
  queue_.pop_front();
  recipient_ = 0;
  reader_.reset();
  step_ = Step::Connecting;
  timeout_->armAfter(options_.timeout);
  connection_ = transport_.open(
      options_.address, options_.port,
      {[this] { onConnected(); }, [this](std::string_view bytes) { onReceived(bytes); },
       [this](const std::string& why) { fail(FailReason::Connection, why); }});
}

void SmtpMailer::onConnected() {
  if (step_ == Step::Connecting) step_ = Step::Greeting;
}

void SmtpMailer::onReceived(std::string_view bytes) {
  switch (reader_.feed(bytes)) {
    case check::SmtpReplyReader::State::Incomplete:
      return;
    case check::SmtpReplyReader::State::Malformed:
      return fail(FailReason::Rejected, "malformed reply");
    case check::SmtpReplyReader::State::Complete: {
      const int code = reader_.code();
      reader_.reset();
      return onReply(code);
    }
  }
}

void SmtpMailer::send(const std::string& line, Step next) {
  step_ = next;
  timeout_->armAfter(options_.timeout);
  connection_->send(line);
}

void SmtpMailer::onReply(int code) {
  auto unexpected = [&](const char* after) {
    fail(FailReason::Rejected, "the server answered " + std::to_string(code) + " to " + after);
  };
  switch (step_) {
    case Step::Idle:
    case Step::Connecting:
      return;
    case Step::Greeting:
      if (code != 220) return unexpected("the connection");
      return send("HELO " + options_.heloName + "\r\n", Step::Helo);
    case Step::Helo:
      if (code != 250) return unexpected("HELO");
      return send("MAIL FROM:<" + current_.from + ">\r\n", Step::MailFrom);
    case Step::MailFrom:
      if (code != 250) return unexpected("MAIL FROM");
      if (current_.to.empty()) return fail(FailReason::Rejected, "no notification_email recipient");
      return send("RCPT TO:<" + current_.to[0] + ">\r\n", Step::RcptTo);
    case Step::RcptTo:
      if (code != 250 && code != 251) return unexpected("RCPT TO");
      if (++recipient_ < current_.to.size()) {
        return send("RCPT TO:<" + current_.to[recipient_] + ">\r\n", Step::RcptTo);
      }
      return send("DATA\r\n", Step::Data);
    case Step::Data:
      if (code != 354) return unexpected("DATA");
      return send(monitor::smtp::dotStuff(current_.message), Step::Body);
    case Step::Body:
      if (code != 250) return unexpected("the message");
      ++counters_.sent;
      return send("QUIT\r\n", Step::Quit);
    case Step::Quit:
      return finish();
  }
}

void SmtpMailer::fail(FailReason reason, const std::string& why) {
  if (step_ == Step::Quit) return finish();  // the mail was taken already
  if (step_ == Step::Idle) return;
  ++counters_.failed;
  ++counters_.failedBy[static_cast<size_t>(reason)];
  lastError_ = why;
  log(LogLevel::Warning, "smtp alert to {} port {} not sent: {}", options_.address.toString(),
      options_.port, why);
  finish();
}

void SmtpMailer::finish() {
  timeout_->cancel();
  step_ = Step::Idle;
  // We may be inside one of the connection's callbacks: it goes after it
  // returns, and the next mail starts then too.
  loop_.post([connection = std::shared_ptr<SmtpConnection>(std::move(connection_))]() mutable {
    connection.reset();
  });
  loop_.post([this, alive = alive_] {
    if (*alive) startNext();
  });
}

}  // namespace vigil::cli
