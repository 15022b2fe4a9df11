#include "check/smtp_probe.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

namespace vigil::check {
namespace {

std::string hostName(const config::ProbeTarget& target) {
  return fmt::format("[{}]:{}", target.address.toString(), target.port);
}

}  // namespace

SmtpProbe::SmtpProbe(EventLoop& loop, const config::SmtpCheck& smtp, Duration hostTimeout)
    : SocketProbe(loop),
      smtp_(smtp),
      hostTimeout_(hostTimeout),
      hostTimer_(loop.createTimer([this] { fail(Outcome::Timeout, "no reply"); })) {}

SmtpProbe::~SmtpProbe() { release(); }

void SmtpProbe::start(Done done) {
  begin(std::move(done));
  host_ = 0;
  if (smtp_.hosts.empty()) {
    finishLater(ProbeResult{Outcome::Internal, std::nullopt, "no host to check"});
    return;
  }
  startHost();
}

void SmtpProbe::startHost() {
  SocketProbe::release();
  reply_.reset();
  phase_ = Phase::Connecting;
  auto opened = openProbeSocket(smtp_.hosts[host_], SOCK_STREAM, 0);
  if (!opened) {
    ProbeResult failed = socketFailure(opened.error());
    failed.detail = hostName(smtp_.hosts[host_]) + ": " + failed.detail;
    finishLater(std::move(failed));
    return;
  }
  fd_ = std::move(opened->fd);
  hostTimer_->armAfter(hostTimeout_);
  if (opened->connected) {
    phase_ = Phase::Greeting;
    watch(EPOLLIN, [this](uint32_t events) { onEvents(events); });
  } else {
    watch(EPOLLOUT, [this](uint32_t events) { onEvents(events); });
  }
}

void SmtpProbe::onEvents(uint32_t) {
  if (phase_ == Phase::Connecting) {
    onConnected();
  } else {
    onReadable();
  }
}

void SmtpProbe::onConnected() {
  int error = 0;
  socklen_t len = sizeof(error);
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
    error = errno;
  }
  if (error != 0) {
    ProbeResult failed = socketFailure(Error{error, "connect"});
    failed.detail = hostName(smtp_.hosts[host_]) + ": " + failed.detail;
    finish(std::move(failed));
    return;
  }
  phase_ = Phase::Greeting;
  watch_->setEvents(EPOLLIN);
}

void SmtpProbe::onReadable() {
  std::array<char, 1024> buffer{};
  ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
  if (got < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      return;
    }
    ProbeResult failed = socketFailure(errnoError("recv"));
    failed.detail = hostName(smtp_.hosts[host_]) + ": " + failed.detail;
    finish(std::move(failed));
    return;
  }
  if (got == 0) {
    fail(Outcome::BadReply, "connection closed");
    return;
  }
  switch (reply_.feed(std::string_view(buffer.data(), static_cast<size_t>(got)))) {
    case SmtpReplyReader::State::Incomplete:
      return;
    case SmtpReplyReader::State::Malformed:
      fail(Outcome::BadReply, "malformed reply");
      return;
    case SmtpReplyReader::State::Complete:
      onReply(reply_.code());
      return;
  }
}

void SmtpProbe::onReply(int code) {
  reply_.reset();
  switch (phase_) {
    case Phase::Connecting:
      return;
    case Phase::Greeting:
      if (code != 220) {
        fail(Outcome::BadReply, fmt::format("greeting {}", code));
        return;
      }
      phase_ = Phase::Helo;
      (void)send("HELO " + smtp_.heloName + "\r\n");
      return;
    case Phase::Helo:
      if (code != 250) {
        fail(Outcome::BadReply, fmt::format("HELO answered {}", code));
        return;
      }
      phase_ = Phase::Quit;
      (void)send("QUIT\r\n");
      return;
    case Phase::Quit:
      if (code != 221) {
        fail(Outcome::BadReply, fmt::format("QUIT answered {}", code));
        return;
      }
      hostTimer_->cancel();
      if (++host_ < smtp_.hosts.size()) {
        startHost();
        return;
      }
      finish(ProbeResult{Outcome::Up, std::nullopt,
                         fmt::format("{} host(s) answered 220, 250, 221", smtp_.hosts.size())});
      return;
  }
}

bool SmtpProbe::send(const std::string& line) {
  ssize_t sent = ::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL);
  if (sent == static_cast<ssize_t>(line.size())) {
    return true;
  }
  ProbeResult failed = sent < 0 ? socketFailure(errnoError("send"))
                                : ProbeResult{Outcome::NetworkError, {}, "short send"};
  failed.detail = hostName(smtp_.hosts[host_]) + ": " + failed.detail;
  finish(std::move(failed));
  return false;
}

void SmtpProbe::fail(Outcome outcome, const std::string& what) {
  finish(ProbeResult{outcome, std::nullopt, hostName(smtp_.hosts[host_]) + ": " + what});
}

void SmtpProbe::release() {
  if (hostTimer_) {
    hostTimer_->cancel();
  }
  SocketProbe::release();
}

}  // namespace vigil::check
