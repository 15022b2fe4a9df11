#include "core/frame_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

using namespace std::string_literals;

Message take(FrameDecoder& decoder) {
  auto next = decoder.next();
  EXPECT_TRUE(next.ok());
  EXPECT_TRUE(next.ok() && next->has_value());
  return next.ok() && next->has_value() ? **next : Message{};
}

TEST(FrameCodec, EncodesHeaderFieldsBigEndian) {
  EXPECT_EQ(encodeFrame(MessageType::Snapshot, "abc"),
            "\x01\x03\x00\x00\x00\x00\x00\x03"
            "abc"s);
  std::string big(0x010203, 'x');
  std::string frame = encodeFrame(MessageType::Reload, big);
  EXPECT_EQ(frame.substr(0, 8), "\x01\x04\x00\x00\x00\x01\x02\x03"s);
  EXPECT_EQ(frame.size(), 8 + big.size());
}

TEST(FrameCodec, RoundTripsSeveralFramesFedAtOnce) {
  std::string stream = encodeFrame(MessageType::Hello, "{\"worker\":\"vrrp\"}") +
                       encodeFrame(MessageType::Heartbeat, "") +
                       encodeFrame(MessageType::Command, "with\0nul"s);
  FrameDecoder decoder;
  decoder.feed(stream);
  EXPECT_EQ(take(decoder), (Message{MessageType::Hello, "{\"worker\":\"vrrp\"}"}));
  EXPECT_EQ(take(decoder), (Message{MessageType::Heartbeat, ""}));
  EXPECT_EQ(take(decoder), (Message{MessageType::Command, "with\0nul"s}));
  auto none = decoder.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(decoder.hasPartialFrame());
}

TEST(FrameCodec, ReassemblesFramesFedOneByteAtATime) {
  std::string stream =
      encodeFrame(MessageType::Snapshot, "state") + encodeFrame(MessageType::Stop, "");
  FrameDecoder decoder;
  std::vector<Message> got;
  for (char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    auto next = decoder.next();
    ASSERT_TRUE(next.ok());
    if (next->has_value()) {
      got.push_back(**next);
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (Message{MessageType::Snapshot, "state"}));
  EXPECT_EQ(got[1], (Message{MessageType::Stop, ""}));
}

TEST(FrameCodec, TruncatedFrameWaitsAndReportsPartial) {
  std::string frame = encodeFrame(MessageType::Snapshot, "0123456789");
  FrameDecoder decoder;
  decoder.feed(frame.substr(0, frame.size() - 1));
  auto next = decoder.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_TRUE(decoder.hasPartialFrame());

  FrameDecoder headerOnly;
  headerOnly.feed(frame.substr(0, 5));
  ASSERT_TRUE(headerOnly.next().ok());
  EXPECT_TRUE(headerOnly.hasPartialFrame());
}

TEST(FrameCodec, OversizedLengthIsRejectedBeforeBuffering) {
  FrameDecoder decoder(1024);
  decoder.feed("\x01\x03\x00\x00\x00\x00\x04\x01"s);  // 1025 bytes announced
  auto next = decoder.next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, EMSGSIZE);
  // The stream cannot be resynchronised: it stays failed.
  decoder.feed(encodeFrame(MessageType::Heartbeat, ""));
  EXPECT_FALSE(decoder.next().ok());

  FrameDecoder defaultLimit;
  defaultLimit.feed("\x01\x03\x00\x00\xff\xff\xff\xff"s);
  EXPECT_FALSE(defaultLimit.next().ok());
}

TEST(FrameCodec, RejectsBadVersionTypeAndReservedBytes) {
  for (std::string header :
       {"\x02\x03\x00\x00\x00\x00\x00\x00"s, "\x01\x00\x00\x00\x00\x00\x00\x00"s,
        "\x01\x09\x00\x00\x00\x00\x00\x00"s, "\x01\x03\x00\x01\x00\x00\x00\x00"s}) {
    FrameDecoder decoder;
    decoder.feed(header);
    auto next = decoder.next();
    ASSERT_FALSE(next.ok()) << ::testing::PrintToString(header);
    EXPECT_EQ(next.error().code, EPROTO);
  }
}

}  // namespace
}  // namespace vigil
