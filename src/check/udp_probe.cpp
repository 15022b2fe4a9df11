#include "check/udp_probe.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "check/udp_reply.h"

namespace vigil::check {

UdpProbe::UdpProbe(EventLoop& loop, const config::ProbeTarget& target, const config::UdpCheck& udp,
                   Duration silence, ByteSource random)
    : SocketProbe(loop),
      target_(target),
      udp_(udp),
      silence_(silence),
      random_(std::move(random)),
      silenceTimer_(loop.createTimer([this] { onSilence(); })) {}

UdpProbe::~UdpProbe() { release(); }

void UdpProbe::start(Done done) {
  begin(std::move(done));
  std::vector<uint8_t> payload = udp_.payload;
  if (payload.empty()) {
    payload.resize(kRandomPayloadBytes);
    for (uint8_t& byte : payload) {
      byte = random_();
    }
  }
  auto opened = openProbeSocket(target_, SOCK_DGRAM, 0);
  if (!opened) {
    finishLater(socketFailure(opened.error()));
    return;
  }
  fd_ = std::move(opened->fd);
  if (::send(fd_.get(), payload.data(), payload.size(), 0) < 0) {
    finishLater(socketFailure(errnoError("send")));
    return;
  }
  watch(EPOLLIN, [this](uint32_t) { onReadable(); });
  silenceTimer_->armAfter(silence_);
}

void UdpProbe::onReadable() {
  std::array<uint8_t, 65536> buffer;
  auto datagram = receive(buffer);
  if (!datagram) {
    return;
  }
  const size_t got = datagram->size();
  if (!udp_.requireReply) {
    finish(ProbeResult{Outcome::Up, std::nullopt, fmt::format("reply of {} bytes", got)});
    return;
  }
  auto mismatch = udpReplyMismatch(udp_, *datagram);
  if (mismatch) {
    finish(ProbeResult{Outcome::BadReply, std::nullopt, *mismatch});
    return;
  }
  finish(ProbeResult{Outcome::Up, std::nullopt, fmt::format("reply of {} bytes matches", got)});
}

void UdpProbe::onSilence() {
  if (udp_.requireReply) {
    finish(ProbeResult{Outcome::Timeout, std::nullopt, "no reply"});
  } else {
    // keepalived's rule: without require_reply, only an ICMP error fails.
    finish(ProbeResult{Outcome::Up, std::nullopt, "no ICMP error"});
  }
}

void UdpProbe::release() {
  if (silenceTimer_) {
    silenceTimer_->cancel();
  }
  SocketProbe::release();
}

}  // namespace vigil::check
