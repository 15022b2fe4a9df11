#include "fakes/channel_peer.h"

#include <sys/socket.h>

#include <stdexcept>

namespace vigil::fakes {

std::vector<Message> ChannelPeer::drain() {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) {
      break;
    }
    decoder_.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  std::vector<Message> out;
  for (;;) {
    auto next = decoder_.next();
    if (!next) {
      throw std::runtime_error("peer received a bad frame: " + next.error().describe());
    }
    if (!next->has_value()) {
      return out;
    }
    out.push_back(std::move(**next));
  }
}

void ChannelPeer::send(MessageType type, std::string_view payload) {
  sendRaw(encodeFrame(type, payload));
}

void ChannelPeer::sendRaw(std::string_view bytes) {
  if (::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("peer send failed");
  }
}

}  // namespace vigil::fakes
