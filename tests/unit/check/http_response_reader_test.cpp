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
}

}  // namespace
}  // namespace vigil::check
