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
  // Until the read runs dry (only strangers' datagrams so far: keep
  // waiting) or fails.
  while (auto datagram = receive(buffer)) {
    DnsReplyCheck check = checkDnsReply(query_, *datagram);
    if (check.verdict == DnsVerdict::NotOurs) {
      continue;
    }
    Outcome outcome = check.verdict == DnsVerdict::Answered ? Outcome::Up : Outcome::BadReply;
    finish(ProbeResult{outcome, std::nullopt, check.detail});
    return;
  }
}

}  // namespace vigil::check
