#include "core/frame_codec.h"

#include <fmt/format.h>

#include <cerrno>

namespace vigil {
namespace {

bool knownType(uint8_t type) {
  return type >= static_cast<uint8_t>(MessageType::Hello) &&
         type <= static_cast<uint8_t>(MessageType::Resync);
}

uint32_t readBigEndian32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

const char* messageTypeName(MessageType type) {
  switch (type) {
    case MessageType::Hello:
      return "hello";
    case MessageType::Heartbeat:
      return "heartbeat";
    case MessageType::Snapshot:
      return "snapshot";
    case MessageType::Reload:
      return "reload";
    case MessageType::Stop:
      return "stop";
    case MessageType::Command:
      return "command";
    case MessageType::SnapshotPatch:
      return "snapshot patch";
    case MessageType::Resync:
      return "resync";
  }
  return "unknown";
}

void appendFrame(std::string& out, MessageType type, std::string_view payload) {
  auto length = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(kFrameVersion));
  out.push_back(static_cast<char>(type));
  out.push_back('\0');
  out.push_back('\0');
  out.push_back(static_cast<char>(length >> 24));
  out.push_back(static_cast<char>(length >> 16));
  out.push_back(static_cast<char>(length >> 8));
  out.push_back(static_cast<char>(length));
  out.append(payload);
}

std::string encodeFrame(MessageType type, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  appendFrame(out, type, payload);
  return out;
}

void FrameDecoder::feed(std::string_view bytes) {
  // Drop consumed bytes once they dominate, keeping appends amortised O(1).
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<Message>> FrameDecoder::next() {
  if (failure_) {
    return *failure_;
  }
  size_t available = buffer_.size() - consumed_;
  if (available < kFrameHeaderSize) {
    return std::optional<Message>{};
  }
  const char* header = buffer_.data() + consumed_;
  auto version = static_cast<uint8_t>(header[0]);
  auto type = static_cast<uint8_t>(header[1]);
  uint32_t length = readBigEndian32(header + 4);
  if (version != kFrameVersion) {
    failure_ = Error{EPROTO, fmt::format("frame version {} (expected {})", version, kFrameVersion)};
  } else if (!knownType(type)) {
    failure_ = Error{EPROTO, fmt::format("unknown message type {}", type)};
  } else if (header[2] != 0 || header[3] != 0) {
    failure_ = Error{EPROTO, "reserved frame bytes are not zero"};
  } else if (length > maxPayload_) {
    failure_ = Error{EMSGSIZE, fmt::format("frame payload of {} bytes exceeds the {} byte limit",
                                           length, maxPayload_)};
  }
  if (failure_) {
    return *failure_;
  }
  if (available - kFrameHeaderSize < length) {
    return std::optional<Message>{};
  }
  Message message{static_cast<MessageType>(type),
                  buffer_.substr(consumed_ + kFrameHeaderSize, length)};
  consumed_ += kFrameHeaderSize + length;
  return std::optional<Message>{std::move(message)};
}

}  // namespace vigil
