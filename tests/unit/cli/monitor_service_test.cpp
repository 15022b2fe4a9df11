#include "cli/vigild/monitor_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "core/posix_event_loop.h"
#include "core/supervisor.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"
#include "fakes/slotted_worker.h"

// The monitoring endpoint's counters (vigil_http_*) belong to the service:
// a reload that moves metrics_listen keeps them. Real loopback sockets on
// a real loop; every wait is bounded by a turn count.
namespace vigil::cli {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;

constexpr uint32_t kLoopback1 = 0x7f000001;  // 127.0.0.1
constexpr uint32_t kLoopback2 = 0x7f000002;  // 127.0.0.2: also lo's on Linux

config::GlobalDefs listeningOn(uint32_t address) {
  config::GlobalDefs global;
  global.metricsListen = config::ListenAddress{IpAddress::v4(address), 0};  // any free port
  return global;
}

class MonitorServiceTest : public ::testing::Test {
 protected:
  // Sends `request` to address:port and turns the loop until the server
  // closes the connection; returns what came back.
  std::string exchange(uint32_t address, uint16_t port, const std::string& request) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(address);
    // Loopback completes the handshake from the backlog, before accept().
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    EXPECT_EQ(::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::string reply;
    for (int turn = 0; turn < 200; ++turn) {
      loop_.runOnce(milliseconds(10));
      char buf[65536];
      for (;;) {
        const ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
          reply.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return reply;
        break;
      }
    }
    ADD_FAILURE() << "no end of reply from port " << port;
    return reply;
  }

  std::string metricsText() {
    monitor::HttpRequest request;
    request.method = "GET";
    request.target = "/metrics";
    return service_.handle(request).wholeBody();
  }

  PosixEventLoop loop_;
  Supervisor supervisor_{loop_, {}};
  MonitorService service_{loop_, supervisor_, {}};
};

constexpr const char* kGet = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

TEST_F(MonitorServiceTest, AReloadThatMovesTheListenerKeepsItsCounters) {
  service_.apply(listeningOn(kLoopback1));
  ASSERT_TRUE(service_.port());
  const uint16_t first = *service_.port();
  EXPECT_NE(exchange(kLoopback1, first, kGet).find("HTTP/1.1 "), std::string::npos);
  EXPECT_NE(exchange(kLoopback1, first, "garbage\r\n\r\n").find("HTTP/1.1 400"), std::string::npos);
  ASSERT_TRUE(service_.httpStats());
  EXPECT_EQ(service_.httpStats()->accepted, 2u);
  EXPECT_EQ(service_.httpStats()->badRequests, 1u);

  service_.apply(listeningOn(kLoopback2));  // a new socket on another address
  ASSERT_TRUE(service_.port());
  EXPECT_EQ(service_.httpStats()->accepted, 2u);
  EXPECT_EQ(service_.httpStats()->badRequests, 1u);
  std::string text = metricsText();
  EXPECT_NE(text.find("\nvigil_http_connections_accepted_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nvigil_http_requests_rejected_total{reason=\"bad_request\"} 1\n"),
            std::string::npos);

  // The new listener counts on from there.
  EXPECT_NE(exchange(kLoopback2, *service_.port(), kGet).find("HTTP/1.1 "), std::string::npos);
  EXPECT_EQ(service_.httpStats()->accepted, 3u);
  text = metricsText();
  EXPECT_NE(text.find("\nvigil_http_connections_accepted_total 3\n"), std::string::npos);
}

TEST_F(MonitorServiceTest, ListeningOffAndOnAgainKeepsTheCounters) {
  EXPECT_FALSE(service_.httpStats());  // never listened: no series
  service_.apply(listeningOn(kLoopback1));
  ASSERT_TRUE(service_.port());
  (void)exchange(kLoopback1, *service_.port(), kGet);

  config::GlobalDefs off;
  off.metricsListen.reset();
  service_.apply(off);
  EXPECT_FALSE(service_.port());
  ASSERT_TRUE(service_.httpStats());  // still shown, e.g. on the control socket
  EXPECT_EQ(service_.httpStats()->accepted, 1u);

  service_.apply(listeningOn(kLoopback1));
  ASSERT_TRUE(service_.port());
  (void)exchange(kLoopback1, *service_.port(), kGet);
  EXPECT_EQ(service_.httpStats()->accepted, 2u);
}

TEST_F(MonitorServiceTest, AReloadThatKeepsTheAddressKeepsTheSocket) {
  service_.apply(listeningOn(kLoopback1));
  ASSERT_TRUE(service_.port());
  const uint16_t port = *service_.port();
  (void)exchange(kLoopback1, port, kGet);
  service_.apply(listeningOn(kLoopback1));
  EXPECT_EQ(service_.port(), port);
  EXPECT_EQ(service_.httpStats()->accepted, 1u);
}

// A check worker's snapshot of four real servers; `attempts` moves every
// server's series.
std::string checkSnapshot(int attempts) {
  std::string s = R"({"worker": "check", "virtual_servers": [{"name": "[10.0.0.1]:tcp:80",
    "quorum_up": true, "sorry_server_active": false, "real_servers": [)";
  for (int r = 0; r < 4; ++r) {
    if (r > 0) s += ',';
    s += R"({"address": "10.1.0.)" + std::to_string(r) +
         R"(", "port": 80, "up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK",
           "attempts": )" +
         std::to_string(attempts) + R"(, "outcomes": {"up": 3, "timeout": 1}}]})";
  }
  return s + "]}]}";
}

// The render a /metrics request leaves behind is kept while the snapshot it
// was rendered from is current, checked every snapshot interval, and
// dropped (the heap handed back) once the snapshot has moved on; then the
// timer stops until the next request.
class MonitorServiceReleaseTest : public ::testing::Test {
 protected:
  static constexpr auto kInterval = milliseconds(50);

  void SetUp() override {
    SupervisorOptions options;
    options.snapshotInterval = kInterval;
    supervisor_ = fakes::slottedSupervisor(loop_, state_, options);
    MonitorService::Info info;
    info.snapshotInterval = kInterval;
    info.returnFreeHeap = [this] { ++heapReturns_; };
    service_ = std::make_unique<MonitorService>(loop_, *supervisor_, std::move(info));
    ASSERT_TRUE(supervisor_->start().ok());
    ASSERT_TRUE(holds(checkSnapshot(1)));
  }

  void TearDown() override {
    service_.reset();
    EXPECT_TRUE(fakes::stopSupervisor(loop_, *supervisor_));
  }

  bool holds(const std::string& text) {
    return runUntil(
        loop_, [&] { return supervisor_->status()[0].lastSnapshot == text; },
        std::chrono::seconds(10));
  }
  void turnFor(milliseconds span) {
    (void)runUntil(
        loop_, [] { return false; }, span);
  }
  std::string scrape() {
    monitor::HttpRequest request;
    request.method = "GET";
    request.target = "/metrics";
    return service_->handle(request).wholeBody();
  }

  PosixEventLoop loop_;
  std::shared_ptr<fakes::SlottedWorker::State> state_ = fakes::slottedState({checkSnapshot(1)});
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<MonitorService> service_;
  int heapReturns_ = 0;
};

TEST_F(MonitorServiceReleaseTest, DropsTheRenderOnceTheSnapshotMovedOn) {
  EXPECT_NE(scrape().find("10.1.0.3"), std::string::npos);
  turnFor(6 * kInterval);  // the snapshot is unchanged: the render stays
  EXPECT_EQ(heapReturns_, 0);
  state_->set(0, checkSnapshot(2));
  ASSERT_TRUE(holds(checkSnapshot(2)));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return heapReturns_ == 1; }, std::chrono::seconds(5)));
  state_->set(0, checkSnapshot(3));  // nothing kept: nothing more to drop
  ASSERT_TRUE(holds(checkSnapshot(3)));
  turnFor(6 * kInterval);
  EXPECT_EQ(heapReturns_, 1);
}

}  // namespace
}  // namespace vigil::cli
