#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/event_loop.h"
#include "core/frame_codec.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace vigil {

struct ChannelLimits {
  // Frames waiting for the peer to read beyond this are refused, so a stuck
  // peer cannot make the sender grow without bound.
  size_t maxQueuedBytes = 8u << 20;
  size_t maxPayload = kMaxFramePayload;
};

// Framed messages over a connected stream socket (one end of a socketpair)
// between the supervisor and a worker. Sends never block: what the socket
// does not take is queued, up to a limit. Received messages and the close are
// delivered on the loop; either callback may destroy the channel.
class Channel {
 public:
  using MessageHandler = std::function<void(const Message&)>;
  // The reason the channel closed; code 0 for an orderly close by the peer.
  using CloseHandler = std::function<void(const Error&)>;

  Channel(EventLoop& loop, UniqueFd fd, MessageHandler onMessage, CloseHandler onClose,
          ChannelLimits limits = {});
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // A connected AF_UNIX stream pair, non-blocking and close-on-exec.
  static Result<std::pair<UniqueFd, UniqueFd>> makePair();

  // ENOBUFS when the queue limit would be passed (the message is dropped
  // and counted), EPIPE-like errors once the channel is closed.
  Status send(MessageType type, std::string_view payload);

  // Runs on the loop each time the queue empties after the socket had been
  // full (a sender pacing large payloads sends the next one then).
  void setOnDrained(std::function<void()> onDrained) { onDrained_ = std::move(onDrained); }

  bool isOpen() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  size_t queuedBytes() const { return outbox_.size() - sent_; }
  // Memory the channel keeps for its buffers (the outbox's capacity and the
  // receive buffer's). A buffer that grew past kKeptBufferBytes for one large
  // frame is given back once that frame is through: a check worker's
  // snapshot is megabytes, and a kept capacity would hold a copy of it
  // resident between snapshots on both ends.
  size_t heldBytes() const { return outbox_.capacity() + decoder_.bufferCapacity(); }
  static constexpr size_t kKeptBufferBytes = 256 * 1024;
  uint64_t droppedMessages() const { return dropped_; }
  // Closes without calling the close handler.
  void close();

 private:
  void onReady(uint32_t events);
  // False when the channel closed (or was destroyed) while reading.
  bool readAvailable();
  bool flush();
  void fail(Error reason);
  void updateInterest();
  // Called when the decoder holds no complete frame: replaces it by an
  // empty one if its buffer may have grown for a large frame (heldBytes).
  void releaseDrainedDecoder();
  // The outbox is empty: drop it, keeping its capacity unless it is large.
  void clearOutbox();

  EventLoop& loop_;
  UniqueFd fd_;
  MessageHandler onMessage_;
  CloseHandler onClose_;
  std::function<void()> onDrained_;
  ChannelLimits limits_;
  FrameDecoder decoder_;
  // Bytes fed to decoder_ since it was last replaced by an empty one.
  size_t receivedSinceReset_ = 0;
  std::string outbox_;
  size_t sent_ = 0;
  uint64_t dropped_ = 0;
  bool wantWrite_ = false;
  std::unique_ptr<FdWatch> watch_;
  // Expires when the channel is destroyed; callbacks check it afterwards.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil
