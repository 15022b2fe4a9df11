#include "monitor/http_request.h"

#include <gtest/gtest.h>

#include <random>

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

TEST(HttpRequestParserTest, RejectsGarbageWith400) {
  using namespace std::string_literals;
  const std::string tlsHello = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n"s;
  const std::string nulInMethod = "GE\0T / HTTP/1.1\r\n\r\n"s;
  for (const std::string& bad :
       {tlsHello, nulInMethod, std::string("\n\n"), std::string("SSH-2.0-OpenSSH_9.2\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nHost\x01: x\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\n\tfolded: x\r\n\r\n"),
        std::string("{\"command\":\"reload\"}\n\n")}) {
    HttpRequestParser p;
    EXPECT_EQ(p.feed(bad), State::Failed) << bad;
    EXPECT_EQ(p.errorStatus(), 400) << bad;
  }
}

TEST(HttpRequestParserTest, EndlessBytesWithoutALineEndAreCutAtTheBound) {
  HttpRequestParser p(8192);
  const std::string chunk(4096, 'A');
  State state = State::Incomplete;
  int fed = 0;
  for (; fed < 256 && state == State::Incomplete; ++fed) state = p.feed(chunk);
  EXPECT_EQ(state, State::Failed);
  EXPECT_EQ(p.errorStatus(), 431);
  EXPECT_EQ(fed, 3);  // 12 KiB: the first feed past 8 KiB fails
}

// Random bytes in random pieces, seeded so a failure reproduces: the parser
// never holds much more than its bound, and whatever it accepts is a
// well-formed request line.
TEST(HttpRequestParserTest, RandomInputStaysBoundedAndNeverAcceptsJunk) {
  std::mt19937 random(20260521);
  // Mostly bytes that matter to the grammar, so some inputs get far.
  using namespace std::string_literals;
  const std::string alphabet = "GET /HTP1.\r\n: \t\0\xff"s + "aZ";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<size_t> pieceSize(1, 600);
  constexpr size_t kBound = 1024;
  int outcomes[3] = {};
  for (int round = 0; round < 2000; ++round) {
    HttpRequestParser p(kBound);
    State state = State::Incomplete;
    for (int piece = 0; piece < 8 && state == State::Incomplete; ++piece) {
      std::string bytes(pieceSize(random), ' ');
      for (char& c : bytes) c = alphabet[pick(random)];
      state = p.feed(bytes);
      ASSERT_LE(p.remainder().size(), kBound + 600);
    }
    ++outcomes[static_cast<int>(state)];
    if (state == State::Complete) {
      EXPECT_FALSE(p.request().method.empty());
      EXPECT_EQ(p.request().method.find_first_of(" \r\n\t:/"), std::string::npos);
      EXPECT_FALSE(p.request().target.empty());
    }
    if (state == State::Failed) {
      EXPECT_TRUE(p.errorStatus() == 400 || p.errorStatus() == 431 || p.errorStatus() == 505)
          << p.errorStatus();
    }
  }
  EXPECT_GT(outcomes[static_cast<int>(State::Failed)], 0);
}

}  // namespace
}  // namespace vigil::monitor
