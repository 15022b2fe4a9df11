#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "check/checker.h"
#include "check/curl_multi.h"
#include "check/http_probe.h"
#include "core/simulated_loop.h"

// HTTP_GET under a starved loop, on a simulated loop with real loopback
// sockets: the timeout that counts is the checker's, with its grace for a
// late timer, not libcurl's. libcurl keeps time on the wall clock and checks
// its timeout before it reads, so each scenario lets wall-clock time pass
// too (the server is slow to answer while the loop does not run).
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

constexpr Duration kConnectTimeout = milliseconds(50);

// A listening socket on 127.0.0.1. With `answerAfter`, one connection is
// accepted on a thread, its request read and, that long after, answered
// with 200; without, connections are never accepted (the kernel completes
// the handshake, nobody answers).
class LoopbackServer {
 public:
  explicit LoopbackServer(std::optional<Duration> answerAfter) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listener_, 4), 0);
    EXPECT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    if (answerAfter) {
      thread_ = std::thread([this, delay = *answerAfter] { serveOne(delay); });
    }
  }
  ~LoopbackServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  void serveOne(Duration delay) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 5000) != 1) return;  // bounded: a failed test does not hang
    int fd = ::accept(listener_, nullptr, nullptr);
    std::string request;
    char buffer[2048];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd in{fd, POLLIN, 0};
      if (::poll(&in, 1, 5000) != 1) break;
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<size_t>(n));
    }
    std::this_thread::sleep_for(delay);  // a slow server, answering while the loop is starved
    std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    ::close(fd);
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

struct HttpStallHarness {
  explicit HttpStallHarness(uint16_t port) {
    config::HttpUrl url;
    url.path = "/";
    url.statusCodes = {{200, 299}};
    config::HttpCheck http;
    http.urls = {url};
    config::Checker spec;
    spec.base.type = config::CheckerType::Http;
    spec.base.delayLoop = std::chrono::seconds(1);
    spec.base.connectTimeout = kConnectTimeout;
    spec.base.delayBeforeRetry = std::chrono::seconds(1);
    spec.base.warmup = Duration::zero();
    spec.base.retry = 0;
    spec.target.address = *IpAddress::parse("127.0.0.1");
    spec.target.port = port;
    spec.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
    checker = std::make_unique<Checker>(loop, spec.base, kConnectTimeout,
                                        std::make_unique<HttpProbe>(loop, spec, multi, nullptr),
                                        Checker::RandomSource{}, "HTTP_GET");
    checker->setListener([this](const CheckerEvent& e) {
      if (!e.up) ++downs;
    });
  }

  // Delivers readiness of curl's sockets (polled for real) until the
  // request is sent and curl waits only to read the answer. Bounded.
  bool sendRequest() {
    for (int turn = 0; turn < 500; ++turn) {
      loop.advance(Duration::zero());
      for (int fd : multi.watchedFds()) {
        std::optional<uint32_t> events = loop.watchedEvents(fd);
        if (events && *events == EPOLLIN) return true;
        pollfd p{fd, static_cast<short>(events.value_or(0)), 0};
        if (::poll(&p, 1, 10) > 0) loop.fire(fd, static_cast<uint32_t>(p.revents));
      }
    }
    return false;
  }
  // Waits (for real, bounded) until the answer is in curl's socket, unread.
  bool answerArrived() {
    std::vector<int> fds = multi.watchedFds();
    if (fds.size() != 1) return false;
    pollfd p{fds[0], POLLIN, 0};
    return ::poll(&p, 1, 5000) == 1;
  }
  // The loop's turns after the stall read whatever is ready.
  void readReady() {
    for (int fd : multi.watchedFds()) {
      pollfd p{fd, static_cast<short>(loop.watchedEvents(fd).value_or(0)), 0};
      if (::poll(&p, 1, 0) > 0) loop.fire(fd, static_cast<uint32_t>(p.revents));
    }
    loop.runPosted();
  }

  SimulatedLoop loop;
  CurlMulti multi{loop};
  std::unique_ptr<Checker> checker;
  size_t downs = 0;
};

TEST(CheckerHttpStallTest, AnAnswerThatArrivedDuringAStallIsUpNotATimeout) {
  // The server answers 3 connect_timeouts (wall clock) after the request:
  // with libcurl's own timeout at connect_timeout, curl would have
  // reported a timeout when the loop came back.
  LoopbackServer server(3 * kConnectTimeout);
  HttpStallHarness h(server.port());
  h.checker->start();
  ASSERT_TRUE(h.sendRequest());
  ASSERT_TRUE(h.answerArrived());
  h.loop.stall(3 * kConnectTimeout);  // the loop ran nothing meanwhile
  h.loop.advance(Duration::zero());   // every due timer fires, late
  EXPECT_EQ(h.downs, 0U);
  EXPECT_EQ(h.checker->counters().lateTimeouts, 1U);
  h.readReady();
  EXPECT_EQ(h.downs, 0U);
  EXPECT_TRUE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::Up), 1U);
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 0U);
  EXPECT_EQ(h.multi.transfers(), 0U);
}

TEST(CheckerHttpStallTest, ASilentServerStillTimesOutAfterTheGraceAndItsTransferIsRemoved) {
  LoopbackServer server(std::nullopt);
  HttpStallHarness h(server.port());
  h.checker->start();
  ASSERT_TRUE(h.sendRequest());
  h.loop.stall(3 * kConnectTimeout);
  h.loop.advance(Duration::zero());
  h.readReady();
  EXPECT_EQ(h.downs, 0U) << "judged only after the grace";
  EXPECT_EQ(h.multi.transfers(), 1U);
  h.loop.advance(Checker::maxLateGrace(kConnectTimeout));
  EXPECT_EQ(h.downs, 1U);
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 1U);
  EXPECT_EQ(h.multi.transfers(), 0U) << "the checker's timeout removes the easy handle";
}

TEST(CheckerHttpStallTest, LibcurlsOwnTimeoutLiesBeyondTheCheckersLongestJudgement) {
  for (Duration timeout : {Duration(milliseconds(50)), Duration(std::chrono::seconds(5))}) {
    EXPECT_GE(curlBackstop(timeout),
              timeout + Checker::maxLateGrace(timeout) + std::chrono::seconds(1));
  }
}

}  // namespace
}  // namespace vigil::check
