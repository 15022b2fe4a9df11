#include "monitor/http_request.h"

#include <gtest/gtest.h>

namespace vigil::monitor {
namespace {

using State = HttpRequestParser::State;

TEST(HttpRequestParserTest, ParsesAGetWithHeaders) {
  HttpRequestParser p;
  ASSERT_EQ(p.feed("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept:  text/plain \r\n\r\n"),
            State::Complete);
  EXPECT_EQ(p.request().method, "GET");
  EXPECT_EQ(p.request().target, "/metrics?x=1");
  EXPECT_EQ(p.request().path(), "/metrics");
  EXPECT_EQ(p.request().minorVersion, 1);
  ASSERT_NE(p.request().header("accept"), nullptr);
  EXPECT_EQ(*p.request().header("accept"), "text/plain");
  EXPECT_TRUE(p.request().keepAlive);
  EXPECT_EQ(p.remainder(), "");
}

TEST(HttpRequestParserTest, WaitsForTheWholeHeadAcrossFeeds) {
  HttpRequestParser p;
  EXPECT_EQ(p.feed("GET / HT"), State::Incomplete);
  EXPECT_EQ(p.feed("TP/1.1\r\nHost: a\r\n"), State::Incomplete);
  EXPECT_EQ(p.feed("\r"), State::Incomplete);
  EXPECT_EQ(p.feed("\n"), State::Complete);
}

TEST(HttpRequestParserTest, AcceptsBareLineFeeds) {
  HttpRequestParser p;
  EXPECT_EQ(p.feed("GET /healthz HTTP/1.0\nHost: a\n\n"), State::Complete);
  EXPECT_EQ(p.request().path(), "/healthz");
}

TEST(HttpRequestParserTest, ConnectionHeaderDecidesKeepAlive) {
  HttpRequestParser close11;
  ASSERT_EQ(close11.feed("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"), State::Complete);
  EXPECT_FALSE(close11.request().keepAlive);
  HttpRequestParser plain10;
  ASSERT_EQ(plain10.feed("GET / HTTP/1.0\r\n\r\n"), State::Complete);
  EXPECT_FALSE(plain10.request().keepAlive);
  HttpRequestParser keep10;
  ASSERT_EQ(keep10.feed("GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n"), State::Complete);
  EXPECT_TRUE(keep10.request().keepAlive);
}

TEST(HttpRequestParserTest, KeepsAPipelinedRequestForAfterReset) {
  HttpRequestParser p;
  ASSERT_EQ(p.feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c"), State::Complete);
  EXPECT_EQ(p.request().target, "/a");
  p.reset();
  ASSERT_EQ(p.feed({}), State::Complete);
  EXPECT_EQ(p.request().target, "/b");
  p.reset();
  EXPECT_EQ(p.feed({}), State::Incomplete);
  EXPECT_EQ(p.remainder(), "GET /c");
}

TEST(HttpRequestParserTest, RejectsMalformedRequestLines) {
  for (const char* bad :
       {"GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 x\r\n\r\n", "GET / HTTQ/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n", "GET  HTTP/1.1\r\n\r\n", "\r\n\r\n"}) {
    HttpRequestParser p;
    EXPECT_EQ(p.feed(bad), State::Failed) << bad;
    EXPECT_EQ(p.errorStatus(), 400) << bad;
  }
}

TEST(HttpRequestParserTest, RejectsMalformedHeaders) {
  for (const char* bad : {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nBad : x\r\n\r\n",
                          "GET / HTTP/1.1\r\n: x\r\n\r\n"}) {
    HttpRequestParser p;
    EXPECT_EQ(p.feed(bad), State::Failed) << bad;
    EXPECT_EQ(p.errorStatus(), 400) << bad;
  }
}

TEST(HttpRequestParserTest, RejectsOtherHttpVersions) {
  HttpRequestParser p;
  EXPECT_EQ(p.feed("GET / HTTP/2.0\r\n\r\n"), State::Failed);
  EXPECT_EQ(p.errorStatus(), 505);
}

TEST(HttpRequestParserTest, RefusesBodies) {
  HttpRequestParser withLength;
  EXPECT_EQ(withLength.feed("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), State::Failed);
  EXPECT_EQ(withLength.errorStatus(), 413);
  HttpRequestParser chunked;
  EXPECT_EQ(chunked.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), State::Failed);
  EXPECT_EQ(chunked.errorStatus(), 413);
  HttpRequestParser empty;
  EXPECT_EQ(empty.feed("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), State::Complete);
}

TEST(HttpRequestParserTest, BoundsTheHead) {
  HttpRequestParser p(64);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX-Long: " + std::string(40, 'a')), State::Incomplete);
  EXPECT_EQ(p.feed(std::string(40, 'a')), State::Failed);
  EXPECT_EQ(p.errorStatus(), 431);
  // Once failed it stays failed and buffers nothing more.
  EXPECT_EQ(p.feed("\r\n\r\n"), State::Failed);
}

TEST(HttpRequestParserTest, ACompleteHeadOverTheBoundIsRefused) {
  HttpRequestParser p(32);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX-Long: " + std::string(40, 'a') + "\r\n\r\n"),
            State::Failed);
  EXPECT_EQ(p.errorStatus(), 431);
}

}  // namespace
}  // namespace vigil::monitor
