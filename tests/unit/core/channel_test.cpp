#include "core/channel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/posix_event_loop.h"
#include "fakes/channel_peer.h"
#include "fakes/run_until.h"

namespace vigil {
namespace {

using fakes::ChannelPeer;
using fakes::runUntil;

struct Pair {
  UniqueFd a;
  UniqueFd b;
};

Pair makePair() {
  auto pair = Channel::makePair();
  EXPECT_TRUE(pair.ok());
  return {std::move(pair->first), std::move(pair->second)};
}

TEST(Channel, DeliversMessagesBothWaysInOrder) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Message> atA, atB;
  Channel left(
      loop, std::move(a), [&](const Message& m) { atA.push_back(m); }, nullptr);
  Channel right(
      loop, std::move(b), [&](const Message& m) { atB.push_back(m); }, nullptr);
  ASSERT_TRUE(left.send(MessageType::Reload, "2").ok());
  ASSERT_TRUE(left.send(MessageType::Stop, "").ok());
  ASSERT_TRUE(right.send(MessageType::Snapshot, "{}").ok());
  ASSERT_TRUE(runUntil(loop, [&] { return atB.size() == 2 && atA.size() == 1; }));
  EXPECT_EQ(atB[0], (Message{MessageType::Reload, "2"}));
  EXPECT_EQ(atB[1], (Message{MessageType::Stop, ""}));
  EXPECT_EQ(atA[0], (Message{MessageType::Snapshot, "{}"}));
}

TEST(Channel, LargeMessagesAreQueuedAndFlushedWhenWritable) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Message> got;
  Channel sender(loop, std::move(a), nullptr, nullptr);
  Channel receiver(
      loop, std::move(b), [&](const Message& m) { got.push_back(m); }, nullptr);
  std::string big(3u << 20, 'z');  // larger than a socket buffer
  ASSERT_TRUE(sender.send(MessageType::Snapshot, big).ok());
  EXPECT_GT(sender.queuedBytes(), 0u);
  ASSERT_TRUE(runUntil(loop, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0].payload, big);
  EXPECT_EQ(sender.queuedBytes(), 0u);
}

TEST(Channel, BuffersGrownForALargeFrameAreGivenBackOnBothEnds) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Message> got;
  Channel sender(loop, std::move(a), nullptr, nullptr);
  Channel receiver(
      loop, std::move(b), [&](const Message& m) { got.push_back(m); }, nullptr);
  std::string big(4u << 20, 's');  // a check worker's snapshot at ~10,000 servers
  ASSERT_TRUE(sender.send(MessageType::Snapshot, big).ok());
  EXPECT_GE(sender.heldBytes(), big.size());  // queued: the socket takes less
  ASSERT_TRUE(runUntil(loop, [&] { return got.size() == 1; }));
  EXPECT_EQ(got[0].payload, big);
  EXPECT_EQ(sender.queuedBytes(), 0u);
  EXPECT_LE(sender.heldBytes(), Channel::kKeptBufferBytes);
  EXPECT_LE(receiver.heldBytes(), Channel::kKeptBufferBytes);
  // The next large frame still travels whole.
  big.back() = 't';
  ASSERT_TRUE(sender.send(MessageType::Snapshot, big).ok());
  ASSERT_TRUE(runUntil(loop, [&] { return got.size() == 2; }));
  EXPECT_EQ(got[1].payload, big);
  EXPECT_LE(receiver.heldBytes(), Channel::kKeptBufferBytes);
}

TEST(Channel, AFrameInProgressSurvivesTheReceiveBufferRelease) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Message> got;
  Channel channel(
      loop, std::move(a), [&](const Message& m) { got.push_back(m); }, nullptr);
  ChannelPeer peer(std::move(b));
  const std::string first(Channel::kKeptBufferBytes * 2, 'x');
  const std::string frames =
      encodeFrame(MessageType::Snapshot, first) + encodeFrame(MessageType::Snapshot, "{\"n\":2}");
  // The first frame whole plus part of the second's header: the channel has
  // received more than it keeps, but a frame is in progress and must stay.
  const size_t cut = frames.size() - 10;
  constexpr size_t kPiece = 32 * 1024;  // what a socket buffer takes at once
  for (size_t at = 0; at < cut; at += kPiece) {
    peer.sendRaw(std::string_view(frames).substr(at, std::min(kPiece, cut - at)));
    loop.runOnce(Duration{0});
  }
  ASSERT_TRUE(runUntil(loop, [&] { return got.size() == 1; }));
  peer.sendRaw(std::string_view(frames).substr(cut));
  ASSERT_TRUE(runUntil(loop, [&] { return got.size() == 2; }));
  EXPECT_EQ(got[0].payload, first);
  EXPECT_EQ(got[1].payload, "{\"n\":2}");
  EXPECT_LE(channel.heldBytes(), Channel::kKeptBufferBytes);
}

TEST(Channel, RefusesToQueueBeyondTheLimitWhenThePeerDoesNotRead) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  ChannelLimits limits;
  limits.maxQueuedBytes = 64 * 1024;
  Channel sender(loop, std::move(a), nullptr, nullptr, limits);
  std::string chunk(16 * 1024, 'q');
  Status last;
  int accepted = 0;
  for (int i = 0; i < 1000 && last.ok(); ++i) {
    last = sender.send(MessageType::Snapshot, chunk);
    accepted += last.ok() ? 1 : 0;
  }
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, ENOBUFS);
  EXPECT_EQ(sender.droppedMessages(), 1u);
  EXPECT_LE(sender.queuedBytes(), limits.maxQueuedBytes);
  EXPECT_GT(accepted, 0);
}

TEST(Channel, PeerCloseIsReportedOnce) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Error> closes;
  Channel channel(loop, std::move(a), nullptr, [&](const Error& e) { closes.push_back(e); });
  b.reset();
  ASSERT_TRUE(runUntil(loop, [&] { return !closes.empty(); }));
  EXPECT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 0);
  EXPECT_FALSE(channel.isOpen());
  EXPECT_FALSE(channel.send(MessageType::Heartbeat, "").ok());
}

TEST(Channel, TruncatedFrameAtEndOfStreamIsAnError) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Error> closes;
  std::vector<Message> got;
  Channel channel(
      loop, std::move(a), [&](const Message& m) { got.push_back(m); },
      [&](const Error& e) { closes.push_back(e); });
  ChannelPeer peer(std::move(b));
  peer.send(MessageType::Heartbeat, "");
  std::string frame = encodeFrame(MessageType::Snapshot, "cut short");
  peer.sendRaw(frame.substr(0, 10));
  peer.close();
  ASSERT_TRUE(runUntil(loop, [&] { return !closes.empty(); }));
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(closes[0].code, EPROTO);
}

TEST(Channel, GarbageClosesTheChannel) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::vector<Error> closes;
  Channel channel(loop, std::move(a), nullptr, [&](const Error& e) { closes.push_back(e); });
  ChannelPeer peer(std::move(b));
  peer.sendRaw("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(runUntil(loop, [&] { return !closes.empty(); }));
  EXPECT_EQ(closes[0].code, EPROTO);
  EXPECT_FALSE(channel.isOpen());
}

TEST(Channel, HandlerMayDestroyTheChannel) {
  PosixEventLoop loop;
  auto [a, b] = makePair();
  std::unique_ptr<Channel> channel;
  int seen = 0;
  channel = std::make_unique<Channel>(
      loop, std::move(a),
      [&](const Message&) {
        ++seen;
        channel.reset();
      },
      nullptr);
  ChannelPeer peer(std::move(b));
  peer.send(MessageType::Heartbeat, "");
  peer.send(MessageType::Heartbeat, "");
  ASSERT_TRUE(runUntil(loop, [&] { return channel == nullptr; }));
  loop.runOnce(Duration{0});
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace vigil
