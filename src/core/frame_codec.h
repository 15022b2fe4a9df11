#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil {

// What travels between the supervisor and a worker.
enum class MessageType : uint8_t {
  Hello = 1,          // worker -> supervisor, once at start: JSON {worker, pid}
  Heartbeat = 2,      // worker -> supervisor: alive, snapshot text unchanged since
                      // the last Snapshot on this channel (empty payload)
  Snapshot = 3,       // worker -> supervisor: JSON state (also counts as a heartbeat)
  Reload = 4,         // supervisor -> worker: payload is the new config generation
  Stop = 5,           // supervisor -> worker: finish and exit
  Command = 6,        // either way: free-form request for later tools (vigilctl)
  SnapshotPatch = 7,  // worker -> supervisor: the snapshot's changed slots
                      // (core/snapshot_patch.h; also counts as a heartbeat)
  Resync = 8,         // supervisor -> worker: send the next snapshot in full
};

const char* messageTypeName(MessageType type);

struct Message {
  MessageType type = MessageType::Heartbeat;
  std::string payload;
  bool operator==(const Message&) const = default;
};

// Frame layout, all integers big-endian:
//   byte 0     version (kFrameVersion)
//   byte 1     MessageType
//   bytes 2-3  reserved, zero
//   bytes 4-7  payload length
//   payload
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderSize = 8;
// Snapshots of large configs are big, but a length above this is corruption.
inline constexpr size_t kMaxFramePayload = 64u << 20;

// Appends one frame to out.
void appendFrame(std::string& out, MessageType type, std::string_view payload);
std::string encodeFrame(MessageType type, std::string_view payload);

// Reassembles frames from a byte stream fed in arbitrary pieces.
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t maxPayload = kMaxFramePayload) : maxPayload_(maxPayload) {}

  void feed(std::string_view bytes);
  // The next complete message; nullopt when more bytes are needed. A bad
  // header (version, type, reserved bits, length above the limit) is an
  // error, and the decoder keeps returning it: the stream cannot be resynced.
  Result<std::optional<Message>> next();
  // Bytes of an incomplete frame are buffered (at end of stream: truncated).
  bool hasPartialFrame() const { return buffer_.size() > consumed_; }
  // Memory held for buffering: it keeps the capacity its largest frame needed.
  size_t bufferCapacity() const { return buffer_.capacity(); }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
  size_t maxPayload_;
  std::optional<Error> failure_;
};

}  // namespace vigil
