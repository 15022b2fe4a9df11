#include "check/smtp_reply.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::check {
namespace {

using State = SmtpReplyReader::State;

TEST(SmtpReplyReaderTest, ASingleLineReplyGivesItsCode) {
  SmtpReplyReader reader;
  EXPECT_EQ(reader.feed("220 mail.example.org ESMTP ready\r\n"), State::Complete);
  EXPECT_EQ(reader.code(), 220);
}

TEST(SmtpReplyReaderTest, AReplySplitAcrossReadsCompletesOnItsLastLine) {
  SmtpReplyReader reader;
  EXPECT_EQ(reader.feed("250-mail.example.org he"), State::Incomplete);
  EXPECT_EQ(reader.feed("llo\r\n250-SIZE 1000"), State::Incomplete);
  EXPECT_EQ(reader.code(), 0);
  EXPECT_EQ(reader.feed("\r\n250 8BITMIME\r\n"), State::Complete);
  EXPECT_EQ(reader.code(), 250);
}

TEST(SmtpReplyReaderTest, ABareCodeAndALineFeedOnlyEndingAreAccepted) {
  SmtpReplyReader reader;
  EXPECT_EQ(reader.feed("221\n"), State::Complete);
  EXPECT_EQ(reader.code(), 221);
}

TEST(SmtpReplyReaderTest, GarbageIsMalformed) {
  SmtpReplyReader reader;
  EXPECT_EQ(reader.feed("HTTP/1.1 400 Bad Request\r\n"), State::Malformed);
  reader.reset();
  EXPECT_EQ(reader.feed("22\r\n"), State::Malformed);
  reader.reset();
  EXPECT_EQ(reader.feed("220x\r\n"), State::Malformed);
}

TEST(SmtpReplyReaderTest, AnEndlessReplyIsMalformed) {
  SmtpReplyReader reader;
  std::string longLine(SmtpReplyReader::kMaxReplyBytes + 1, 'a');
  EXPECT_EQ(reader.feed("220 " + longLine), State::Malformed);
}

TEST(SmtpReplyReaderTest, ResetStartsOnTheNextReply) {
  SmtpReplyReader reader;
  ASSERT_EQ(reader.feed("220 hi\r\n"), State::Complete);
  reader.reset();
  EXPECT_EQ(reader.state(), State::Incomplete);
  EXPECT_EQ(reader.feed("550 no\r\n"), State::Complete);
  EXPECT_EQ(reader.code(), 550);
}

}  // namespace
}  // namespace vigil::check
