#include "core/channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace vigil {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

Result<std::pair<UniqueFd, UniqueFd>> Channel::makePair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return errnoError("socketpair");
  }
  return std::pair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Channel::Channel(EventLoop& loop, UniqueFd fd, MessageHandler onMessage, CloseHandler onClose,
                 ChannelLimits limits)
    : loop_(loop),
      fd_(std::move(fd)),
      onMessage_(std::move(onMessage)),
      onClose_(std::move(onClose)),
      limits_(limits),
      decoder_(limits.maxPayload) {
  int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
  }
  watch_ = loop_.watchFd(fd_.get(), EPOLLIN, [this](uint32_t events) { onReady(events); });
}

Channel::~Channel() = default;

void Channel::close() {
  watch_.reset();
  fd_.reset();
  clearOutbox();
}

void Channel::clearOutbox() {
  if (outbox_.capacity() > kKeptBufferBytes) {
    std::string().swap(outbox_);
  } else {
    outbox_.clear();
  }
  sent_ = 0;
}

Status Channel::send(MessageType type, std::string_view payload) {
  if (!isOpen()) {
    return Error{EPIPE, "channel is closed"};
  }
  if (payload.size() > limits_.maxPayload) {
    ++dropped_;
    return Error{EMSGSIZE, "message too large for the channel"};
  }
  if (queuedBytes() + kFrameHeaderSize + payload.size() > limits_.maxQueuedBytes) {
    ++dropped_;
    return Error{ENOBUFS, "channel queue full: peer is not reading"};
  }
  appendFrame(outbox_, type, payload);
  // While EPOLLOUT is awaited the socket is full; the loop flushes later.
  if (!wantWrite_ && !flush()) {
    return Error{EPIPE, "channel closed while sending"};
  }
  return {};
}

bool Channel::flush() {
  while (sent_ < outbox_.size()) {
    ssize_t n = ::send(fd_.get(), outbox_.data() + sent_, outbox_.size() - sent_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    }
    // Reported through the close handler, posted so that the caller of
    // send() is not re-entered.
    Error reason = errnoError("channel send");
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, reason] {
      if (!alive.expired() && isOpen()) {
        fail(reason);
      }
    });
    clearOutbox();
    return false;
  }
  if (sent_ == outbox_.size()) {
    clearOutbox();
  } else if (sent_ > outbox_.size() / 2) {
    outbox_.erase(0, sent_);
    sent_ = 0;
  }
  updateInterest();
  return true;
}

void Channel::updateInterest() {
  bool want = queuedBytes() > 0;
  if (want != wantWrite_ && watch_) {
    wantWrite_ = want;
    watch_->setEvents(want ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
  }
}

void Channel::onReady(uint32_t events) {
  std::weak_ptr<bool> alive = alive_;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (!readAvailable()) {
      return;
    }
  }
  if (!alive.expired() && isOpen() && (events & EPOLLOUT)) {
    if (flush() && queuedBytes() == 0 && onDrained_) onDrained_();
  }
}

bool Channel::readAvailable() {
  std::weak_ptr<bool> alive = alive_;
  char chunk[kReadChunk];
  while (isOpen()) {
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
    if (n < 0) {
      fail(errnoError("channel receive"));
      return false;
    }
    if (n == 0) {
      fail(decoder_.hasPartialFrame() ? Error{EPROTO, "peer closed in the middle of a frame"}
                                      : Error{0, "peer closed the channel"});
      return false;
    }
    decoder_.feed(std::string_view(chunk, static_cast<size_t>(n)));
    receivedSinceReset_ += static_cast<size_t>(n);
    for (;;) {
      auto message = decoder_.next();
      if (!message) {
        fail(message.error());
        return false;
      }
      if (!message->has_value()) {
        releaseDrainedDecoder();
        break;
      }
      if (onMessage_) {
        onMessage_(**message);
      }
      if (alive.expired() || !isOpen()) {
        return false;
      }
    }
  }
  return false;
}

void Channel::releaseDrainedDecoder() {
  // The decoder keeps the capacity its largest frame needed; with no frame
  // in progress an empty one loses nothing.
  if (receivedSinceReset_ > kKeptBufferBytes && !decoder_.hasPartialFrame()) {
    // Swapped, not move-assigned: a moved-from empty string hands over its
    // characters but the destination keeps its own (large) buffer.
    FrameDecoder empty(limits_.maxPayload);
    std::swap(decoder_, empty);
    receivedSinceReset_ = 0;
  }
}

void Channel::fail(Error reason) {
  close();
  if (onClose_) {
    auto onClose = onClose_;  // the handler may destroy this channel
    onClose(reason);
  }
}

}  // namespace vigil
