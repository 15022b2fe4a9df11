#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "check/checker.h"
#include "check/curl_multi.h"
#include "check/http_probe.h"
#include "check/plain_http_fetch.h"
#include "core/simulated_loop.h"

// HTTP_GET under a starved loop, on a simulated loop with real loopback
// sockets: the timeout that counts is the checker's, with its grace for a
// late timer, not the fetcher's own. Each scenario runs on both fetchers
// HttpProbe picks from: vigil's plain client (http_protocol 1.0, 1.0C, 1.1;
// the default) and libcurl (1.0K, 1.1K, SSL_GET). Both are given the
// backstop curlBackstop() as their own timeout. The plain client keeps it as
// a timer on the loop's clock, so it falls due late like the checker's;
// libcurl keeps time on the wall clock and checks its timeout before it
// reads, so each scenario lets wall-clock time pass too (the server is slow
// to answer while the loop does not run).
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

constexpr Duration kConnectTimeout = milliseconds(50);

// A listening socket on 127.0.0.1 and, on a thread, one connection: it is
// accepted, its request read and, with `answerAfter`, that long after
// answered with 200; without, never answered (the server stays silent until
// it is destroyed).
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
    thread_ = std::thread([this, answerAfter] { serveOne(answerAfter); });
  }
  ~LoopbackServer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  // Waits (for real, at most `wait`) until the whole request has been
  // read: the client sent it.
  bool requestRead(Duration wait) {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, wait, [this] { return requestRead_; });
  }

 private:
  void serveOne(std::optional<Duration> answerAfter) {
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
    {
      std::lock_guard lock(mutex_);
      requestRead_ = request.find("\r\n\r\n") != std::string::npos;
    }
    wake_.notify_all();
    if (answerAfter) {
      std::this_thread::sleep_for(
          *answerAfter);  // a slow server, answering while the loop is starved
      std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
      (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    } else {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; });  // bounded
    }
    ::close(fd);
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requestRead_ = false;
  bool done_ = false;
  std::thread thread_;
};

// The two fetchers HttpProbe routes HTTP_GET to, by http_protocol.
bool onPlainClient(config::HttpProtocol protocol) {
  HttpRequest request;
  request.protocol = protocol;
  return PlainHttpFetch::handles(request);
}

struct HttpStallHarness {
  HttpStallHarness(LoopbackServer& server, config::HttpProtocol protocol) : server(server) {
    config::HttpUrl url;
    url.path = "/";
    url.statusCodes = {{200, 299}};
    config::HttpCheck http;
    http.urls = {url};
    http.protocol = protocol;
    config::Checker spec;
    spec.base.type = config::CheckerType::Http;
    spec.base.delayLoop = std::chrono::seconds(1);
    spec.base.connectTimeout = kConnectTimeout;
    spec.base.delayBeforeRetry = std::chrono::seconds(1);
    spec.base.warmup = Duration::zero();
    spec.base.retry = 0;
    spec.target.address = *IpAddress::parse("127.0.0.1");
    spec.target.port = server.port();
    spec.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
    checker = std::make_unique<Checker>(loop, spec.base, kConnectTimeout,
                                        std::make_unique<HttpProbe>(loop, spec, multi, nullptr),
                                        Checker::RandomSource{}, "HTTP_GET");
    checker->setListener([this](const CheckerEvent& e) {
      if (!e.up) ++downs;
    });
  }

  // Polls (for real) every socket the loop watches, whichever fetcher owns
  // it, and delivers its readiness. epoll's EPOLLET is no poll event.
  void deliver(int timeoutMs) {
    for (int fd : loop.watchedFds()) {
      uint32_t events = loop.watchedEvents(fd).value_or(0) & ~static_cast<uint32_t>(EPOLLET);
      pollfd p{fd, static_cast<short>(events), 0};
      if (::poll(&p, 1, timeoutMs) > 0) loop.fire(fd, static_cast<uint32_t>(p.revents));
    }
  }
  // Delivers readiness until the server has read the whole request: the
  // fetcher now waits only for the answer. Bounded.
  bool sendRequest() {
    for (int turn = 0; turn < 500; ++turn) {
      loop.advance(Duration::zero());
      deliver(10);
      if (server.requestRead(milliseconds(10))) return true;
    }
    return false;
  }
  // Waits (for real, bounded) until the answer is in the fetcher's socket,
  // unread.
  bool answerArrived() {
    std::vector<int> fds = loop.watchedFds();
    if (fds.size() != 1) return false;
    pollfd p{fds[0], POLLIN, 0};
    return ::poll(&p, 1, 5000) == 1;
  }
  // The loop's turns after the stall read whatever is ready.
  void readReady() {
    deliver(0);
    loop.runPosted();
  }

  LoopbackServer& server;
  SimulatedLoop loop;
  CurlMulti multi{loop};
  std::unique_ptr<Checker> checker;
  size_t downs = 0;
};

// 1.0 is the default and runs on the plain client; 1.0K stays on libcurl.
class CheckerHttpStallTest : public ::testing::TestWithParam<config::HttpProtocol> {};

INSTANTIATE_TEST_SUITE_P(Fetchers, CheckerHttpStallTest,
                         ::testing::Values(config::HttpProtocol::Http10,
                                           config::HttpProtocol::Http10KeepAlive),
                         [](const ::testing::TestParamInfo<config::HttpProtocol>& info) {
                           return onPlainClient(info.param) ? "PlainClient" : "Libcurl";
                         });

TEST(CheckerHttpStallFetchersTest, TheParametersCoverBothFetchers) {
  EXPECT_TRUE(onPlainClient(config::HttpProtocol::Http10));
  EXPECT_FALSE(onPlainClient(config::HttpProtocol::Http10KeepAlive));
}

TEST_P(CheckerHttpStallTest, AnAnswerThatArrivedDuringAStallIsUpNotATimeout) {
  // The server answers 3 connect_timeouts (wall clock) after the request:
  // with the fetcher's own timeout at connect_timeout, it would have
  // reported a timeout when the loop came back.
  LoopbackServer server(3 * kConnectTimeout);
  HttpStallHarness h(server, GetParam());
  h.checker->start();
  ASSERT_TRUE(h.sendRequest());
  ASSERT_TRUE(h.answerArrived());
  h.loop.stall(3 * kConnectTimeout);  // the loop ran nothing meanwhile
  h.loop.advance(Duration::zero());   // every due timer fires, late
  EXPECT_EQ(h.downs, 0U);
  EXPECT_EQ(h.checker->counters().lateTimeouts(), 1U);
  h.readReady();
  EXPECT_EQ(h.downs, 0U);
  EXPECT_TRUE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::Up), 1U);
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 0U);
  EXPECT_EQ(h.multi.transfers(), 0U);
  EXPECT_TRUE(h.loop.watchedFds().empty()) << "the connection is closed";
}

TEST_P(CheckerHttpStallTest, ASilentServerStillTimesOutAfterTheGraceAndItsTransferIsRemoved) {
  LoopbackServer server(std::nullopt);
  HttpStallHarness h(server, GetParam());
  h.checker->start();
  ASSERT_TRUE(h.sendRequest());
  h.loop.stall(3 * kConnectTimeout);
  h.loop.advance(Duration::zero());
  h.readReady();
  EXPECT_EQ(h.downs, 0U) << "judged only after the grace";
  EXPECT_EQ(h.loop.watchedFds().size(), 1U) << "the request is still in flight";
  EXPECT_EQ(h.multi.transfers(), onPlainClient(GetParam()) ? 0U : 1U);
  h.loop.advance(Checker::maxLateGrace(kConnectTimeout));
  EXPECT_EQ(h.downs, 1U);
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 1U);
  EXPECT_EQ(h.multi.transfers(), 0U) << "the checker's timeout removes curl's easy handle";
  EXPECT_TRUE(h.loop.watchedFds().empty()) << "the checker's timeout closes the connection";
}

// Both fetchers take curlBackstop() as their own timeout (requestFor).
TEST(CheckerHttpStallFetchersTest, TheFetchersOwnTimeoutLiesBeyondTheCheckersLongestJudgement) {
  for (Duration timeout : {Duration(milliseconds(50)), Duration(std::chrono::seconds(5))}) {
    EXPECT_GE(curlBackstop(timeout),
              timeout + Checker::maxLateGrace(timeout) + std::chrono::seconds(1));
  }
}

}  // namespace
}  // namespace vigil::check
