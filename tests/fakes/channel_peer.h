#pragma once

#include <string_view>
#include <vector>

#include "core/frame_codec.h"
#include "core/unique_fd.h"

namespace vigil::fakes {

// The far end of a Channel driven by hand: a test writes frames to it and
// reads what the code under test sent, without an event loop.
class ChannelPeer {
 public:
  explicit ChannelPeer(UniqueFd fd) : fd_(std::move(fd)) {}

  // Every complete message readable right now (non-blocking).
  std::vector<Message> drain();
  void send(MessageType type, std::string_view payload);
  void sendRaw(std::string_view bytes);
  void close() { fd_.reset(); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  FrameDecoder decoder_;
};

}  // namespace vigil::fakes
