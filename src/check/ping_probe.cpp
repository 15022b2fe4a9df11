#include "check/ping_probe.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

namespace vigil::check {
namespace {

// What an echo request carries after its header: recognisable in a
// capture, and the 8 bytes make the classic 16-byte ICMP message.
constexpr std::array<uint8_t, 8> kEchoData = {'v', 'i', 'g', 'i', 'l', 'p', 'n', 'g'};

bool isPermissionError(int code) {
  return code == EACCES || code == EPERM || code == EPROTONOSUPPORT;
}

// Raw ICMPv6 sockets see every ICMPv6 message (neighbour discovery
// included); let only echo replies through.
void passOnlyEchoReplies(const UniqueFd& fd) {
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  (void)::setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
}

}  // namespace

PingProbe::PingProbe(EventLoop& loop, const config::ProbeTarget& target, IdSource ids)
    : SocketProbe(loop), target_(target), ids_(std::move(ids)) {
  target_.port = 0;
  config::ProbeBinding binding = target_.binding();
  binding.port = 0;  // a ping socket's "port" is its echo identifier
  target_.setBinding(binding);
}

Result<ProbeSocket> PingProbe::openSocket() {
  const bool ipv6 = target_.address.family() == AF_INET6;
  const int protocol = ipv6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  if (kind_ != Kind::Raw) {
    auto opened = openProbeSocket(target_, SOCK_DGRAM, protocol);
    if (opened || !isPermissionError(opened.error().code)) {
      if (opened) {
        kind_ = Kind::Ping;
      }
      return opened;
    }
  }
  auto opened = openProbeSocket(target_, SOCK_RAW, protocol);
  if (opened) {
    kind_ = Kind::Raw;
    if (ipv6) {
      passOnlyEchoReplies(opened->fd);
    }
  }
  return opened;
}

void PingProbe::start(Done done) {
  begin(std::move(done));
  auto opened = openSocket();
  if (!opened) {
    finishLater(ProbeResult{Outcome::NetworkError, std::nullopt, opened.error().describe()});
    return;
  }
  fd_ = std::move(opened->fd);
  match_.ipv6 = target_.address.family() == AF_INET6;
  match_.withIpHeader = kind_ == Kind::Raw && !match_.ipv6;
  match_.checkIdentifier = kind_ == Kind::Raw;
  match_.identifier = kind_ == Kind::Raw ? ids_() : 0;
  match_.sequence = ++sequence_;
  std::vector<uint8_t> request =
      buildEchoRequest(match_.ipv6, match_.identifier, match_.sequence, kEchoData);
  if (::send(fd_.get(), request.data(), request.size(), 0) < 0) {
    finishLater(socketFailure(errnoError("send")));
    return;
  }
  watch(EPOLLIN, [this](uint32_t) { onReadable(); });
}

void PingProbe::onReadable() {
  std::array<uint8_t, 1500> buffer{};
  while (auto datagram = receive(buffer)) {
    if (isEchoReply(*datagram, match_)) {
      finish(ProbeResult{Outcome::Up, std::nullopt, "echo reply"});
      return;
    }
  }
}

}  // namespace vigil::check
