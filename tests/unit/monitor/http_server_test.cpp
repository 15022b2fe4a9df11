#include "monitor/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "core/simulated_loop.h"

// The server on a SimulatedLoop with real loopback sockets: the test plays
// epoll (pump() delivers every watched fd its events, as level-triggered
// epoll would) and moves time by hand for the idle timeout.
namespace vigil::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Loopback completes the handshake from the backlog, before accept().
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Everything readable now; sets closed() on end of stream or reset.
  std::string drain() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed_ = true;
      return out;
    }
  }
  bool closed() const { return closed_; }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  bool closed_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void startServer(HttpServer::Limits limits = {}) {
    auto server = HttpServer::start(
        loop_, IpAddress::v4(0x7f000001), 0,
        [this](const HttpRequest& request) {
          ++handled_;
          HttpResponse r = HttpResponse::text(200, body_);
          r.headers.emplace_back("X-Path", std::string(request.path()));
          return r;
        },
        limits);
    ASSERT_TRUE(server) << server.error().describe();
    server_ = std::move(*server);
  }

  void pump(int rounds = 4) {
    for (int r = 0; r < rounds; ++r) {
      for (int fd = 0; fd < 1024; ++fd) {
        if (auto events = loop_.watchedEvents(fd)) loop_.fire(fd, *events);
      }
    }
  }

  SimulatedLoop loop_;
  std::unique_ptr<HttpServer> server_;
  std::string body_ = "hello\n";
  int handled_ = 0;
};

TEST_F(HttpServerTest, AnswersRequestsOnAKeptAliveConnection) {
  startServer();
  Client client(server_->port());
  ASSERT_TRUE(client.connected());
  client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  pump();
  EXPECT_EQ(client.drain(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            "6\r\nX-Path: /metrics\r\n\r\nhello\n");
  client.send("HEAD /status HTTP/1.1\r\n\r\n");
  pump();
  EXPECT_EQ(client.drain(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            "6\r\nX-Path: /status\r\n\r\n");
  EXPECT_FALSE(client.closed());
  EXPECT_EQ(handled_, 2);
  EXPECT_EQ(server_->openConnections(), 1u);
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  startServer();
  Client client(server_->port());
  client.send(
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\nConnection: "
      "close\r\n\r\n");
  pump();
  const std::string got = client.drain();
  size_t a = got.find("X-Path: /a");
  size_t b = got.find("X-Path: /b");
  size_t c = got.find("X-Path: /c");
  ASSERT_NE(c, std::string::npos) << got;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(got.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerTest, ClosesAfterAnHttp10Request) {
  startServer();
  Client client(server_->port());
  client.send("GET / HTTP/1.0\r\n\r\n");
  pump();
  EXPECT_NE(client.drain().find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(client.closed());
}

TEST_F(HttpServerTest, OversizedRequestGets431AndIsClosedUnanswered) {
  startServer({.maxRequestBytes = 256});
  Client client(server_->port());
  client.send("GET / HTTP/1.1\r\nX-Filler: " + std::string(1000, 'a') + "\r\n\r\n");
  pump();
  const std::string got = client.drain();
  EXPECT_EQ(got.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << got;
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(handled_, 0);
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  startServer();
  Client client(server_->port());
  client.send("BLAH\r\n\r\n");
  pump();
  EXPECT_EQ(client.drain().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_TRUE(client.closed());
  EXPECT_EQ(server_->stats().badRequests, 1u);
}

TEST_F(HttpServerTest, ClosesAConnectionThatSendsNoCompleteRequestInTime) {
  startServer({.requestTimeout = seconds(5), .idleTimeout = seconds(60)});
  Client client(server_->port());
  client.send("GET / HTTP/1.1\r\n");  // and nothing more
  pump();
  EXPECT_EQ(server_->openConnections(), 1u);
  loop_.advance(seconds(4));
  client.send("X-Trickle: 1\r\n");  // bytes alone do not buy more time
  pump();
  EXPECT_EQ(server_->openConnections(), 1u);
  loop_.advance(seconds(1));
  EXPECT_EQ(server_->openConnections(), 0u);
  EXPECT_EQ(server_->stats().timedOut, 1u);
  client.drain();
  EXPECT_TRUE(client.closed());
}

TEST_F(HttpServerTest, ClosesAConnectionThatSendsNothing) {
  startServer({.requestTimeout = seconds(5), .idleTimeout = seconds(60)});
  Client client(server_->port());
  pump();
  loop_.advance(milliseconds(4999));
  EXPECT_EQ(server_->openConnections(), 1u);
  loop_.advance(milliseconds(1));
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerTest, AKeptAliveConnectionGetsRequestTimeoutFromTheNextRequestsFirstByte) {
  startServer({.requestTimeout = seconds(5), .idleTimeout = seconds(10)});
  Client client(server_->port());
  client.send("GET / HTTP/1.1\r\n\r\n");
  pump();
  EXPECT_NE(client.drain().find("hello"), std::string::npos);
  loop_.advance(seconds(8));  // idle, within idleTimeout
  client.send("GET /slow HTTP/1.1\r\n");
  pump();
  loop_.advance(seconds(4));  // 12 s after the response: the first byte restarted the clock
  EXPECT_EQ(server_->openConnections(), 1u);
  loop_.advance(seconds(1));
  EXPECT_EQ(server_->openConnections(), 0u);
  EXPECT_EQ(handled_, 1);
}

TEST_F(HttpServerTest, ClosesAKeptAliveConnectionLeftIdle) {
  startServer({.idleTimeout = seconds(10)});
  Client client(server_->port());
  client.send("GET / HTTP/1.1\r\n\r\n");
  pump();
  loop_.advance(seconds(5));
  EXPECT_EQ(server_->openConnections(), 1u);
  loop_.advance(seconds(5));
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_F(HttpServerTest, ANewConnectionOverTheLimitEvictsTheOldestWaitingOne) {
  startServer({.maxConnections = 2});
  Client oldest(server_->port());
  pump();
  Client older(server_->port());
  pump();
  Client fresh(server_->port());
  pump();
  EXPECT_EQ(server_->openConnections(), 2u);
  EXPECT_EQ(server_->stats().evicted, 1u);
  oldest.drain();
  EXPECT_TRUE(oldest.closed());
  fresh.send("GET / HTTP/1.1\r\n\r\n");
  older.send("GET / HTTP/1.1\r\n\r\n");
  pump();
  EXPECT_NE(fresh.drain().find("hello"), std::string::npos);
  EXPECT_NE(older.drain().find("hello"), std::string::npos);
}

TEST_F(HttpServerTest, ANewConnectionIsRefusedWhenEveryOneIsWritingAResponse) {
  body_ = std::string(8 << 20, 'x');  // more than the socket buffers hold
  startServer({.maxConnections = 1});
  Client busy(server_->port());
  busy.send("GET / HTTP/1.1\r\n\r\n");
  pump();
  Client late(server_->port());
  pump();
  EXPECT_EQ(server_->openConnections(), 1u);
  EXPECT_EQ(server_->stats().refused, 1u);
  late.drain();
  EXPECT_TRUE(late.closed());
  EXPECT_FALSE(busy.closed());
}

TEST_F(HttpServerTest, ManyStalledConnectionsDoNotLockOutAScraper) {
  startServer({.maxConnections = 4, .requestTimeout = seconds(5)});
  std::vector<std::unique_ptr<Client>> stalled;
  for (int i = 0; i < 20; ++i) {
    stalled.push_back(std::make_unique<Client>(server_->port()));
    stalled.back()->send("GET / HTTP/1.1\r\nX-Slow: ");
    pump(1);
  }
  EXPECT_EQ(server_->openConnections(), 4u);
  Client scraper(server_->port());
  pump();
  scraper.send("GET /metrics HTTP/1.1\r\n\r\n");
  pump();
  EXPECT_NE(scraper.drain().find("X-Path: /metrics"), std::string::npos);
  loop_.advance(seconds(5));
  EXPECT_EQ(server_->openConnections(), 1u);  // the scraper's, kept alive
  for (auto& c : stalled) {
    c->drain();
    EXPECT_TRUE(c->closed());
  }
}

TEST_F(HttpServerTest, WritesALargeResponseAsTheClientReads) {
  body_ = std::string(8 << 20, 'x');  // more than the socket buffers hold
  startServer();
  Client client(server_->port());
  client.send("GET / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
  pump();
  // Stuck on the first response: no reading until it is out.
  EXPECT_EQ(handled_, 1);
  std::string got;
  for (int i = 0; i < 10000 && got.size() < 2 * body_.size(); ++i) {
    got += client.drain();
    pump(1);
  }
  EXPECT_EQ(handled_, 2);
  EXPECT_NE(got.find("X-Path: /next"), std::string::npos);
  EXPECT_GT(got.size(), 2 * body_.size());
  EXPECT_FALSE(client.closed());
}

TEST_F(HttpServerTest, BindFailureIsAnError) {
  startServer();
  auto second = HttpServer::start(loop_, IpAddress::v4(0x7f000001), server_->port(),
                                  [](const HttpRequest&) { return HttpResponse{}; }, {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, EADDRINUSE);
}

}  // namespace
}  // namespace vigil::monitor
