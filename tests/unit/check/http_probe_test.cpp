#include "check/http_probe.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <optional>
#include <thread>

#include "check/md5_digest.h"
#include "core/posix_event_loop.h"
#include "core/simulated_loop.h"
#include "fakes/run_until.h"
#include "unit/check/http_loopback_server.h"

namespace vigil::check {
namespace {

config::HttpUrl urlFor(std::string path) {
  config::HttpUrl url;
  url.path = std::move(path);
  url.statusCodes = {{200, 299}};
  return url;
}

config::Checker checkerFor(uint16_t port, std::vector<config::HttpUrl> urls,
                           config::HttpProtocol protocol = config::HttpProtocol::Http10) {
  config::HttpCheck http;
  http.urls = std::move(urls);
  http.protocol = protocol;
  config::Checker checker;
  checker.base.type = config::CheckerType::Http;
  checker.base.connectTimeout = std::chrono::seconds(3);
  checker.target.address = *IpAddress::parse("127.0.0.1");
  checker.target.port = port;
  checker.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
  return checker;
}

uint16_t closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  (void)::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);  // nothing listens there now
  return ntohs(address.sin_port);
}

class HttpProbeTest : public ::testing::Test {
 protected:
  std::optional<ProbeResult> runProbe(const config::Checker& checker) {
    HttpProbe probe(loop_, checker, multi_, nullptr);
    return runProbe(probe);
  }
  std::optional<ProbeResult> runProbe(HttpProbe& probe) {
    std::optional<ProbeResult> result;
    probe.start([&](ProbeResult r) { result = std::move(r); });
    EXPECT_FALSE(result.has_value()) << "done ran inside start()";
    EXPECT_TRUE(fakes::runUntil(loop_, [&] { return result.has_value(); }));
    return result;
  }

  PosixEventLoop loop_;
  CurlMulti multi_{loop_};
  test::LoopbackHttpServer server_{loop_};
};

TEST_F(HttpProbeTest, PageWithMatchingDigestAndRegexIsUp) {
  ASSERT_TRUE(server_.ok());
  server_.serve("/health", 200, "hello world\n");
  auto url = urlFor("/health");
  url.digest = md5Of("hello world\n");
  auto regex = std::make_shared<config::HttpRegex>();
  regex->pattern = "wor.d";
  url.regex = regex;
  auto result = runProbe(checkerFor(server_.port(), {url}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  ASSERT_EQ(server_.requests().size(), 1U);
  const std::string& request = server_.requests()[0];
  EXPECT_TRUE(request.starts_with("GET /health HTTP/1.0\r\n")) << request;
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(server_.port()) + "\r\n"),
            std::string::npos)
      << request;
  EXPECT_NE(request.find("User-Agent: KeepAliveClient\r\n"), std::string::npos);
}

TEST_F(HttpProbeTest, DigestMismatchAndRegexMismatch) {
  server_.serve("/", 200, "changed\n");
  auto withDigest = urlFor("/");
  withDigest.digest = md5Of("original\n");
  EXPECT_EQ(runProbe(checkerFor(server_.port(), {withDigest}))->outcome, Outcome::DigestMismatch);
  auto withRegex = urlFor("/");
  auto regex = std::make_shared<config::HttpRegex>();
  regex->pattern = "changed";
  regex->noMatch = true;
  withRegex.regex = regex;
  EXPECT_EQ(runProbe(checkerFor(server_.port(), {withRegex}))->outcome, Outcome::RegexMismatch);
}

TEST_F(HttpProbeTest, EveryUrlMustPassInOrder) {
  server_.serve("/a", 200, "a");
  auto result = runProbe(checkerFor(server_.port(), {urlFor("/a"), urlFor("/missing")}));
  EXPECT_EQ(result->outcome, Outcome::BadStatus);
  EXPECT_NE(result->detail.find("404"), std::string::npos);
  ASSERT_EQ(server_.requests().size(), 2U);
  EXPECT_TRUE(server_.requests()[0].starts_with("GET /a "));
  EXPECT_TRUE(server_.requests()[1].starts_with("GET /missing "));
}

TEST_F(HttpProbeTest, VirtualhostAndProtocolShapeTheRequest) {
  server_.serve("/", 200, "");
  auto url = urlFor("/");
  url.virtualhost = std::make_shared<const std::string>("www.example");
  ASSERT_TRUE(runProbe(checkerFor(server_.port(), {url}, config::HttpProtocol::Http11))->up());
  const std::string& request = server_.requests().at(0);
  EXPECT_TRUE(request.starts_with("GET / HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("Host: www.example\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("Connection: close\r\n"), std::string::npos) << request;
}

// keepalived sends the configured path byte for byte; libcurl would
// otherwise resolve "." and ".." segments (RFC 3986 section 5.2.4) and ask
// for another page than the operator wrote (CURLU_PATH_AS_IS).
TEST_F(HttpProbeTest, DotSegmentsInThePathAreSentAsWritten) {
  server_.serve("/a/../b/./health", 200, "ok");
  ASSERT_TRUE(runProbe(checkerFor(server_.port(), {urlFor("/a/../b/./health")}))->up());
  ASSERT_EQ(server_.requests().size(), 1U);
  EXPECT_TRUE(server_.requests()[0].starts_with("GET /a/../b/./health HTTP/1.0\r\n"))
      << server_.requests()[0];
}

TEST_F(HttpProbeTest, KeepAliveReusesTheConnectionAcrossAttempts) {
  server_.serve("/", 200, "ok");
  HttpProbe probe(loop_,
                  checkerFor(server_.port(), {urlFor("/")}, config::HttpProtocol::Http11KeepAlive),
                  multi_, nullptr);
  ASSERT_TRUE(runProbe(probe)->up());
  ASSERT_TRUE(runProbe(probe)->up());
  EXPECT_EQ(server_.requests().size(), 2U);
  EXPECT_EQ(server_.connections(), 1);
}

// keepalived hashes a chunked body as sent, chunk sizes included; genhash
// 2.2.7 printed this digest for exactly this response.
TEST_F(HttpProbeTest, ChunkedBodyIsDigestedAsSentLikeGenhash) {
  server_.serveRaw("/chunked",
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto url = urlFor("/chunked");
  url.digest = md5Of("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(toHex(*url.digest), "fc3946cc674492e3e09d9e45c4c09023");
  auto result = runProbe(checkerFor(server_.port(), {url}, config::HttpProtocol::Http11));
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
}

TEST_F(HttpProbeTest, NothingListeningIsRefused) {
  auto result = runProbe(checkerFor(closedPort(), {urlFor("/")}));
  EXPECT_EQ(result->outcome, Outcome::Refused) << result->detail;
}

TEST_F(HttpProbeTest, BodyIsReadOnlyUpToTheCap) {
  server_.serve("/big", 200, std::string(kMaxBodyBytes + 4096, 'x'));
  auto plain = urlFor("/big");
  EXPECT_TRUE(runProbe(checkerFor(server_.port(), {plain}))->up());
  auto withDigest = urlFor("/big");
  withDigest.digest = md5Of(std::string(kMaxBodyBytes + 4096, 'x'));
  auto result = runProbe(checkerFor(server_.port(), {withDigest}));
  EXPECT_EQ(result->outcome, Outcome::DigestMismatch);
  EXPECT_NE(result->detail.find("longer than"), std::string::npos) << result->detail;
}

TEST_F(HttpProbeTest, AbortedAttemptNeverCompletes) {
  server_.serve("/", 200, "ok");
  auto checker = checkerFor(server_.port(), {urlFor("/")});
  HttpProbe aborted(loop_, checker, multi_, nullptr);
  bool abortedDone = false;
  aborted.start([&](ProbeResult) { abortedDone = true; });
  aborted.abort(AbortReason::Stopped);
  EXPECT_EQ(multi_.transfers(), 0U);
  // A later probe on the same loop finishing shows the loop ran well past
  // the point where the aborted one would have completed.
  ASSERT_TRUE(runProbe(checker)->up());
  EXPECT_FALSE(abortedDone);
}

TEST_F(HttpProbeTest, DestroyingAProbeInFlightReleasesItsTransfer) {
  server_.serve("/", 200, "ok");
  {
    HttpProbe probe(loop_, checkerFor(server_.port(), {urlFor("/")}), multi_, nullptr);
    probe.start([](ProbeResult) { ADD_FAILURE() << "done after destruction"; });
  }
  EXPECT_EQ(multi_.transfers(), 0U);
  ASSERT_TRUE(runProbe(checkerFor(server_.port(), {urlFor("/")}))->up());
}

// A fetch starts with libcurl's smallest receive buffer and grows to its
// default once a response did not fit, so a large digested page is read in
// 16 KB instead of 1 KB steps; the body arrives whole either way.
TEST_F(HttpProbeTest, ReceiveBufferGrowsForAPageLargerThanOneKilobyte) {
  std::string big(64 * 1024, 'x');
  server_.serve("/big", 200, big);
  server_.serve("/small", 200, "ok");
  HttpFetch fetch(multi_);
  auto fetchOnce = [&](const std::string& path) {
    HttpRequest request;
    request.target.address = *IpAddress::parse("127.0.0.1");
    request.target.port = server_.port();
    request.path = path;
    std::optional<HttpResponse> response;
    EXPECT_TRUE(fetch.start(request, [&](HttpResponse r) { response = std::move(r); }).ok());
    EXPECT_TRUE(fakes::runUntil(loop_, [&] { return response.has_value(); }));
    return response.value_or(HttpResponse{});
  };
  EXPECT_EQ(fetchOnce("/small").body, "ok");
  EXPECT_EQ(fetch.receiveBufferBytes(), 1024U);
  EXPECT_EQ(fetchOnce("/small").body, "ok");
  EXPECT_EQ(fetch.receiveBufferBytes(), 1024U) << "a small page keeps the small buffer";
  EXPECT_EQ(fetchOnce("/big").body, big);
  EXPECT_EQ(fetch.receiveBufferBytes(), 1024U) << "nothing large had arrived yet";
  EXPECT_EQ(fetchOnce("/big").body, big);
  EXPECT_EQ(fetch.receiveBufferBytes(), 16U * 1024);
  // A probe with several urls refetches them in turn: the buffer stays grown.
  EXPECT_EQ(fetchOnce("/small").body, "ok");
  EXPECT_EQ(fetch.receiveBufferBytes(), 16U * 1024);
}

// A check's connection ends with a RST, not a FIN (closeAbortively), so
// neither side keeps a TIME_WAIT socket. The server here answers with a
// Content-Length and keeps its side open, so curl is done as soon as the body
// is in and the close is the client's: the server's next read tells which
// way it closed.
TEST_F(HttpProbeTest, ConnectionIsResetNotClosedAfterTheResponse) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  // Blocking, on its own thread; every wait is bounded by SO_RCVTIMEO.
  int lastRead = 1;
  int lastErrno = 0;
  std::thread server([&] {
    pollfd ready{listener, POLLIN, 0};
    if (::poll(&ready, 1, 5000) != 1) {
      return;
    }
    int fd = ::accept(listener, nullptr, nullptr);
    timeval bound{5, 0};
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
    char buffer[2048];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        break;
      }
      request.append(buffer, static_cast<size_t>(n));
    }
    std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    lastRead = static_cast<int>(::recv(fd, buffer, sizeof(buffer), 0));
    lastErrno = errno;
    ::close(fd);
  });
  auto result = runProbe(checkerFor(ntohs(address.sin_port), {urlFor("/")}));
  server.join();
  ::close(listener);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  EXPECT_EQ(lastRead, -1) << "0 is a FIN: the client closed gracefully";
  EXPECT_EQ(lastErrno, ECONNRESET);
}

// The driver on a simulated loop: curl's sockets and timer must arrive as
// watchFd/createTimer registrations, and readiness the test delivers by
// hand (after polling the real socket) must finish the transfer.
TEST(CurlMultiDriver, RunsATransferThroughLoopRegistrationsOnly) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  // A blocking one-shot server on its own thread, since the simulated loop
  // does not poll.
  std::thread server([listener] {
    int fd = ::accept(listener, nullptr, nullptr);
    char buffer[2048];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        break;
      }
      request.append(buffer, static_cast<size_t>(n));
    }
    std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    ::close(fd);
  });

  SimulatedLoop loop;
  std::optional<HttpResponse> response;
  {
    CurlMulti multi(loop);
    HttpFetch fetch(multi);
    HttpRequest request;
    request.target.address = *IpAddress::parse("127.0.0.1");
    request.target.port = ntohs(address.sin_port);
    ASSERT_TRUE(fetch.start(request, [&](HttpResponse r) { response = std::move(r); }).ok());
    EXPECT_EQ(multi.transfers(), 1U);
    EXPECT_GE(loop.armedTimers(), 1U) << "curl's kick-off timeout must be a loop timer";
    for (int turn = 0; turn < 500 && !response; ++turn) {
      loop.advance(std::chrono::milliseconds(1));
      for (int fd : multi.watchedFds()) {
        auto events = loop.watchedEvents(fd);
        ASSERT_TRUE(events.has_value());
        pollfd p{fd, static_cast<short>(*events), 0};
        if (::poll(&p, 1, 10) > 0) {
          loop.fire(fd, static_cast<uint32_t>(p.revents));
        }
      }
    }
    ASSERT_TRUE(response);
    EXPECT_EQ(multi.transfers(), 0U);
  }
  server.join();
  ::close(listener);
  EXPECT_TRUE(response->transport.up()) << response->transport.detail;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(loop.armedTimers(), 0U);
}

}  // namespace
}  // namespace vigil::check
