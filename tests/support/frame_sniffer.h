#pragma once

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/unique_fd.h"

namespace vigil::test {

using Frame = std::vector<uint8_t>;

// A PF_PACKET listener on one interface of the namespace it is opened in:
// whole Ethernet frames, IP headers as they went on the wire.
class FrameSniffer {
 public:
  explicit FrameSniffer(const char* ifname) {
    fd_.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(ETH_P_ALL);
    at.sll_ifindex = static_cast<int>(if_nametoindex(ifname));
    ok_ = fd_ && ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) == 0;
  }
  bool ok() const { return ok_; }

  // The first frame matching `want` within `limit`.
  std::optional<Frame> await(std::chrono::milliseconds limit,
                             const std::function<bool(const Frame&)>& want) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        continue;
      }
      Frame frame(2048);
      ssize_t n = ::recv(fd_.get(), frame.data(), frame.size(), 0);
      if (n <= 0) {
        continue;
      }
      frame.resize(static_cast<size_t>(n));
      if (want(frame)) {
        return frame;
      }
    }
    return std::nullopt;
  }

 private:
  UniqueFd fd_;
  bool ok_ = false;
};

}  // namespace vigil::test
