#include "check/http_response_reader.h"

#include <gtest/gtest.h>

namespace vigil::check {
namespace {

using State = HttpResponseReader::State;

TEST(HttpResponseReader, ContentLengthEndsTheBodyBeforeTheServerCloses) {
  HttpResponseReader reader(kMaxBodyBytes);
  EXPECT_EQ(reader.feed("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"), State::Complete);
  HttpResponse response = reader.take();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(response.body, "ok");
  EXPECT_FALSE(response.truncated);
}

TEST(HttpResponseReader, WithoutALengthTheBodyEndsWhenTheServerCloses) {
  HttpResponseReader reader(kMaxBodyBytes);
  EXPECT_EQ(reader.feed("HTTP/1.0 404 Not Found\nServer: x\n\nmissing"), State::NeedMore);
  EXPECT_EQ(reader.feed(" page"), State::NeedMore);
  EXPECT_EQ(reader.closed(), State::Complete);
  HttpResponse response = reader.take();
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "missing page");
}

// keepalived digests a chunked body as sent; the framing still tells where
// it ends. Fed a byte at a time, so every state meets a split.
TEST(HttpResponseReader, ChunkedBodyIsKeptAsSentAndEndsAtTheLastChunk) {
  const std::string body = "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
  const std::string all = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
  HttpResponseReader reader(kMaxBodyBytes);
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    ASSERT_EQ(reader.feed(all.substr(i, 1)), State::NeedMore) << "at byte " << i;
  }
  EXPECT_EQ(reader.feed(all.substr(all.size() - 1)), State::Complete);
  EXPECT_EQ(reader.take().body, body);
}

TEST(HttpResponseReader, InterimResponsesAreSkipped) {
  HttpResponseReader reader(kMaxBodyBytes);
  EXPECT_EQ(
      reader.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"),
      State::Complete);
  HttpResponse response = reader.take();
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(response.headers.starts_with("HTTP/1.1 503 Busy\r\n")) << response.headers;
}

TEST(HttpResponseReader, NoContentAndNotModifiedEndAtTheHeaders) {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    HttpResponseReader reader(kMaxBodyBytes);
    EXPECT_EQ(reader.feed(std::string("HTTP/1.1 ") + status + "\r\n\r\n"), State::Complete);
  }
}

TEST(HttpResponseReader, BodyStopsAtTheCap) {
  HttpResponseReader reader(4);
  EXPECT_EQ(reader.feed("HTTP/1.0 200 OK\r\n\r\nabcdefgh"), State::Complete);
  HttpResponse response = reader.take();
  EXPECT_EQ(response.body, "abcd");
  EXPECT_TRUE(response.truncated);
}

TEST(HttpResponseReader, ACloseBeforeTheEndIsAFailure) {
  HttpResponseReader nothing(kMaxBodyBytes);
  EXPECT_EQ(nothing.closed(), State::Failed);
  EXPECT_TRUE(nothing.nothing());

  HttpResponseReader inHeaders(kMaxBodyBytes);
  inHeaders.feed("HTTP/1.0 200 OK\r\nServ");
  EXPECT_EQ(inHeaders.closed(), State::Failed);
  EXPECT_FALSE(inHeaders.nothing());

  HttpResponseReader shortBody(kMaxBodyBytes);
  shortBody.feed("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nok");
  EXPECT_EQ(shortBody.closed(), State::Failed);
  EXPECT_NE(shortBody.error().find("8 bytes"), std::string::npos) << shortBody.error();

  HttpResponseReader chunks(kMaxBodyBytes);
  chunks.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  EXPECT_EQ(chunks.closed(), State::Failed);
}

TEST(HttpResponseReader, WhatIsNotAnHttpResponseFails) {
  HttpResponseReader banner(kMaxBodyBytes);
  EXPECT_EQ(banner.feed("SSH-2.0-OpenSSH_9.2\r\n"), State::Failed);
  HttpResponseReader noCode(kMaxBodyBytes);
  EXPECT_EQ(noCode.feed("HTTP/1.0 OK\r\n"), State::Failed);
  HttpResponseReader badChunk(kMaxBodyBytes);
  EXPECT_EQ(badChunk.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            State::Failed);
  HttpResponseReader extraCr(kMaxBodyBytes);
  EXPECT_EQ(extraCr.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "2\r\nhe\r\r\n0\r\n\r\n"),
            State::Complete);
}

// libcurl's limit on all the header bytes of an exchange (300 KB), interim
// responses included: a server that streams 100 Continue (or header lines)
// forever fails at once, not at the attempt's timeout.
TEST(HttpResponseReader, HeadersEndAfter300KbInAllInterimResponsesIncluded) {
  for (std::string_view unit : {"HTTP/1.1 100 Continue\r\n\r\n", "X-Filler: 0123456789\r\n"}) {
    HttpResponseReader reader(kMaxBodyBytes);
    size_t fed = 0;
    if (unit.starts_with("X-")) {
      const std::string_view status = "HTTP/1.1 200 OK\r\n";
      ASSERT_EQ(reader.feed(status), State::NeedMore);
      fed += status.size();
    }
    State state = State::NeedMore;
    for (int i = 0; i < 100000 && state == State::NeedMore; ++i) {
      state = reader.feed(unit);
      fed += unit.size();
    }
    EXPECT_EQ(state, State::Failed) << unit;
    EXPECT_GT(fed, 307200U) << unit;
    EXPECT_LE(fed, 307200U + unit.size()) << unit;
    EXPECT_NE(reader.error().find("307200"), std::string::npos) << reader.error();
  }
}

// The line cap holds whether the line arrives in pieces or with its end.
TEST(HttpResponseReader, AHeaderLineOver64KbFails) {
  const std::string line = "X-Long: " + std::string(70 * 1024, 'a') + "\r\n";
  HttpResponseReader whole(kMaxBodyBytes);
  EXPECT_EQ(whole.feed("HTTP/1.1 200 OK\r\n" + line + "\r\n"), State::Failed);
  HttpResponseReader split(kMaxBodyBytes);
  split.feed("HTTP/1.1 200 OK\r\n" + line.substr(0, 60 * 1024));
  EXPECT_EQ(split.feed(line.substr(60 * 1024) + "\r\n"), State::Failed);
}

// What libcurl 7.88 rejects (CURLE_WEIRD_SERVER_REPLY, CURLE_RECV_ERROR),
// and only that (checked with curl 7.88.1 against the same bytes), so the
// plain client's verdict is the same.
TEST(HttpResponseReader, RepliesLibcurlRejectsFail) {
  for (const char* length : {"-1", "abc", "12x", ""}) {
    HttpResponseReader reader(kMaxBodyBytes);
    EXPECT_EQ(
        reader.feed(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + length + "\r\n\r\nok"),
        State::Failed)
        << "Content-Length: " << length;
    EXPECT_NE(reader.error().find("Content-Length"), std::string::npos) << reader.error();
  }
  // libcurl reads a body whose length overflows until the server closes.
  HttpResponseReader overflow(kMaxBodyBytes);
  EXPECT_EQ(overflow.feed("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nok"),
            State::NeedMore);
  EXPECT_EQ(overflow.closed(), State::Complete);
  EXPECT_EQ(overflow.take().body, "ok");

  HttpResponseReader nul(kMaxBodyBytes);
  EXPECT_EQ(nul.feed(std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27)), State::Failed);
  EXPECT_NE(nul.error().find("NUL"), std::string::npos) << nul.error();

  HttpResponseReader longChunk(kMaxBodyBytes);
  EXPECT_EQ(longChunk.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "2\r\nhelloEXTRA\r\n0\r\n\r\n"),
            State::Failed);
  HttpResponseReader extraCr(kMaxBodyBytes);
  EXPECT_EQ(extraCr.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "2\r\nhe\r\r\n0\r\n\r\n"),
            State::Complete);
}

}  // namespace
}  // namespace vigil::check
