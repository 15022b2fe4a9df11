#include "check/dns_probe.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "check/dns_message.h"

namespace vigil::check {

DnsProbe::DnsProbe(EventLoop& loop, const config::ProbeTarget& target, const config::DnsCheck& dns,
                   IdSource ids)
    : SocketProbe(loop), target_(target), dns_(dns), ids_(std::move(ids)) {}

void DnsProbe::start(Done done) {
  begin(std::move(done));
  auto query = buildDnsQuery(ids_(), dns_.name, dns_.type);
  if (!query) {
    finishLater(ProbeResult{Outcome::Internal, std::nullopt, query.error().describe()});
    return;
  }
  query_ = std::move(*query);
  auto opened = openProbeSocket(target_, SOCK_DGRAM, 0);
  if (!opened) {
    finishLater(socketFailure(opened.error()));
    return;
  }
  fd_ = std::move(opened->fd);
  if (::send(fd_.get(), query_.data(), query_.size(), 0) < 0) {
    finishLater(socketFailure(errnoError("send")));
    return;
  }
  watch(EPOLLIN, [this](uint32_t) { onReadable(); });
}

void DnsProbe::onReadable() {
  // A DNS reply over UDP is at most 512 bytes without EDNS, which the
  // query does not offer; a larger datagram is truncated and still judged
  // by its header.
  std::array<uint8_t, 1500> buffer{};
  for (;;) {
    ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        return;  // only strangers' datagrams so far: keep waiting
      }
      finish(socketFailure(errnoError("recv")));
      return;
    }
    DnsReplyCheck check =
        checkDnsReply(query_, std::span<const uint8_t>(buffer.data(), static_cast<size_t>(got)));
    if (check.verdict == DnsVerdict::NotOurs) {
      continue;
    }
    Outcome outcome = check.verdict == DnsVerdict::Answered ? Outcome::Up : Outcome::BadReply;
    finish(ProbeResult{outcome, std::nullopt, check.detail});
    return;
  }
}

}  // namespace vigil::check
