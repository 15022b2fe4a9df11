#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/unique_fd.h"
#include "support/metrics_text.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// Hostile clients on vigild's HTTP endpoint and control socket: garbage, a
// 1 MiB header, 50 slowloris connections. A VRRP pair with advert_int 0.1
// runs meanwhile; the attacked one is MASTER. Good requests keep working,
// the server closes the stalled connections within its request deadline,
// and VRRP does not notice: the master's loop-lateness histogram gains no
// sample above 100 ms and neither router changes state (the backup would
// take over after ~0.36 s without adverts).
namespace vigil::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kMonitorPort = 19658;
constexpr int kSlowloris = 50;
// HttpServer::Limits::requestTimeout, plus slack for a loaded machine.
constexpr auto kRequestDeadline = seconds(5);
constexpr auto kCloseSlack = seconds(3);

struct Reply {
  bool answered = false;  // a status line came back
  int status = 0;
  std::string body;
};

void setTimeouts(int fd, milliseconds limit) {
  timeval tv{static_cast<time_t>(limit.count() / 1000),
             static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

UniqueFd connectTcp(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return {};
  setTimeouts(fd.get(), seconds(3));
  return fd;
}

UniqueFd connectUnix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  std::strncpy(to.sun_path, path.c_str(), sizeof to.sun_path - 1);
  if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return {};
  setTimeouts(fd.get(), seconds(3));
  return fd;
}

// Sends `bytes` (as much as the peer takes) and reads until the peer
// closes, resets or 3 s pass.
Reply exchange(const UniqueFd& fd, const std::string& bytes) {
  Reply reply;
  if (!fd) return reply;
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // closed on us mid-way: the server gave up on this request
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  if (raw.rfind("HTTP/1.1 ", 0) == 0 && raw.size() >= 12) {
    reply.answered = true;
    reply.status = std::atoi(raw.substr(9, 3).c_str());
    const size_t head = raw.find("\r\n\r\n");
    if (head != std::string::npos) reply.body = raw.substr(head + 4);
  }
  return reply;
}

Reply get(uint16_t port, const std::string& target) {
  return exchange(connectTcp(port),
                  "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

std::string config(int priority, const std::string& controlSocket) {
  std::ostringstream c;
  c << "global_defs {\n  dataplane none\n  metrics_listen 127.0.0.1:" << kMonitorPort << "\n";
  if (!controlSocket.empty()) c << "  control_socket " << controlSocket << "\n";
  c << "}\n"
    << "vrrp_instance VI_h8 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 88\n"
    << "  version 3\n  priority " << priority << "\n  advert_int 0.1\n"
    << "  virtual_ipaddress {\n    198.51.100.88/24\n  }\n}\n";
  return c.str();
}

class BadRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && master_.ok() && backup_.ok());
    ASSERT_TRUE(plugIntoBridge(bridge_, master_, "p1", "198.51.100.1/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, backup_, "p2", "198.51.100.2/24"));
    dir_ = std::filesystem::temp_directory_path() / ("h8-" + master_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string controlSocket() const { return path("run/vigild.sock"); }

  std::string metricsOf(const NetNs& ns) const {
    NetNsEnter in(ns);
    Reply r = get(kMonitorPort, "/metrics");
    return r.status == 200 ? r.body : std::string();
  }
  std::string masterMetrics() const { return metricsOf(master_); }

  CommandResult vigilctl(const std::string& args) const {
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl " + args + " --socket " +
                      controlSocket());
  }

  NetNs bridge_{"h8br"};
  NetNs master_{"h8m"};
  NetNs backup_{"h8b"};
  std::filesystem::path dir_;
};

TEST_F(BadRequestsTest, HostileClientsGetErrorsOrAreDroppedAndVrrpKeepsItsTiming) {
  // The control socket path comes from global_defs on the master and is
  // turned off by the flag on the backup (both read at start).
  std::ofstream(path("master.conf")) << config(200, controlSocket());
  std::ofstream(path("backup.conf")) << config(100, "");
  NsProcess master(
      master_, path("master.log"),
      {"env", "-u", "VIGIL_CONTROL_SOCKET", vigild(), "-n", "-l", "-f", path("master.conf")});
  NsProcess backup(backup_, path("backup.log"),
                   {vigild(), "-n", "-l", "--control-socket", "off", "-f", path("backup.conf")});
  ASSERT_TRUE(master.start());
  const std::string masterState =
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_h8\",state=\"MASTER\"}";
  ASSERT_TRUE(
      waitFor(seconds(15), [&] { return metricSample(masterMetrics(), masterState) == 1.0; }))
      << master.log() << masterMetrics().substr(0, 3000);
  ASSERT_TRUE(backup.start());
  const std::string backupState =
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_h8\",state=\"BACKUP\"}";
  ASSERT_TRUE(waitFor(seconds(15), [&] {
    return metricSample(metricsOf(backup_), backupState) == 1.0;
  })) << backup.log();
  ASSERT_EQ(vigilctl("status").exitCode, 0) << vigilctl("status").output << master.log();

  const std::string transitions = "vigil_vrrp_instance_transitions_total{vrrp_instance=\"VI_h8\"}";
  const std::string before = masterMetrics();
  const std::optional<double> masterTransitions = metricSample(before, transitions);
  const std::optional<double> backupTransitions = metricSample(metricsOf(backup_), transitions);
  ASSERT_TRUE(masterTransitions && backupTransitions) << before;
  const std::optional<LoopLateness> lateBefore = loopLateness(before);
  ASSERT_TRUE(lateBefore) << before;

  // Garbage and an oversized head, on both the endpoint and the socket.
  const std::string garbage = std::string("\x16\x03\x01\x00\xff\x01\x00\x00\n\n", 10);
  const std::string huge =
      "GET /metrics HTTP/1.1\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  {
    NetNsEnter in(master_);
    Reply r = exchange(connectTcp(kMonitorPort), garbage);
    EXPECT_TRUE(r.answered && r.status == 400) << r.status;
    r = exchange(connectTcp(kMonitorPort), huge);
    // 431, or a reset when the server closed with our bytes still unread.
    EXPECT_TRUE(!r.answered || r.status == 431) << r.status;
  }
  Reply r = exchange(connectUnix(controlSocket()), garbage);
  EXPECT_TRUE(r.answered && r.status == 400) << r.status;
  r = exchange(connectUnix(controlSocket()), "{\"command\":\"reload\"}\r\n\r\n");
  EXPECT_TRUE(r.answered && r.status == 400) << r.status;
  r = exchange(connectUnix(controlSocket()), huge);
  EXPECT_TRUE(!r.answered || r.status == 431) << r.status;
  r = exchange(connectUnix(controlSocket()), "GET /no-such-command HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(r.answered && r.status == 404) << r.status;

  // Slowloris: 50 connections to the endpoint and 40 to the socket (both
  // hold 32 at most), each trickling a header byte every 500 ms.
  struct Stalled {
    UniqueFd fd;
    Clock::time_point opened;
    std::optional<Clock::duration> closedAfter;
  };
  std::vector<Stalled> stalled;
  {
    NetNsEnter in(master_);
    for (int i = 0; i < kSlowloris; ++i) {
      stalled.push_back({connectTcp(kMonitorPort), Clock::now(), std::nullopt});
    }
  }
  for (int i = 0; i < 40; ++i) {
    stalled.push_back({connectUnix(controlSocket()), Clock::now(), std::nullopt});
  }
  for (Stalled& s : stalled) {
    ASSERT_TRUE(s.fd);
    (void)::send(s.fd.get(), "GET /status HTTP/1.1\r\nX-Slow: ", 30, MSG_NOSIGNAL);
  }
  int rounds = 0;
  int failedScrapes = 0;
  int failedStatus = 0;
  const Clock::time_point attackEnd = Clock::now() + kRequestDeadline + kCloseSlack;
  while (Clock::now() < attackEnd) {
    for (Stalled& s : stalled) {
      if (s.closedAfter) continue;
      char byte = 0;
      const ssize_t n = ::recv(s.fd.get(), &byte, 1, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        s.closedAfter = Clock::now() - s.opened;
        continue;
      }
      (void)::send(s.fd.get(), "a", 1, MSG_NOSIGNAL);
    }
    ++rounds;
    if (masterMetrics().empty()) ++failedScrapes;
    if (vigilctl("status").exitCode != 0) ++failedStatus;
    // The trickle's pace; the deadlines asserted are the server's own.
    std::this_thread::sleep_for(milliseconds(500));
  }
  EXPECT_GE(rounds, 3);
  EXPECT_EQ(failedScrapes, 0);
  EXPECT_EQ(failedStatus, 0);
  for (size_t i = 0; i < stalled.size(); ++i) {
    ASSERT_TRUE(stalled[i].closedAfter) << "stalled connection " << i << " still open";
    EXPECT_LE(*stalled[i].closedAfter, kRequestDeadline + kCloseSlack) << i;
  }

  // Good requests still work, and VRRP never noticed.
  EXPECT_EQ(vigilctl("status").exitCode, 0);
  const std::string afterAttack = masterMetrics();
  const std::optional<LoopLateness> lateAfterAttack = loopLateness(afterAttack);
  ASSERT_TRUE(lateAfterAttack) << afterAttack;
  // Wait for a snapshot taken after the attack (snapshots come every 1 s).
  std::string after;
  ASSERT_TRUE(waitFor(seconds(5), [&] {
    after = masterMetrics();
    const std::optional<LoopLateness> now = loopLateness(after);
    return now && now->count > lateAfterAttack->count;
  })) << after;
  const std::optional<LoopLateness> lateAfter = loopLateness(after);
  ASSERT_TRUE(lateAfter) << after;
  // Probes every 250 ms: the attack spans ~30 samples.
  EXPECT_GE(lateAfter->count - lateBefore->count, 20);
  EXPECT_EQ(lateAfter->count - lateBefore->count, lateAfter->upTo100ms - lateBefore->upTo100ms)
      << after;
  EXPECT_EQ(metricSample(after, masterState), 1.0);
  EXPECT_EQ(metricSample(after, transitions), masterTransitions);
  // The endpoint counts what its limits did: the garbage (400) and the
  // oversized head (431), and every stalled connection, evicted for a newer
  // one or closed at its deadline.
  const auto rejected = [&](const std::string& reason) {
    return metricSample(after, "vigil_http_requests_rejected_total{reason=\"" + reason + "\"}")
        .value_or(-1);
  };
  EXPECT_GE(rejected("bad_request"), 2) << after.substr(0, 3000);
  EXPECT_GE(rejected("evicted") + rejected("timeout"), kSlowloris);
  EXPECT_EQ(metricSample(metricsOf(backup_), transitions), backupTransitions);

  master.signal(SIGTERM);
  backup.signal(SIGTERM);
  EXPECT_TRUE(master.reap(seconds(10))) << master.log();
  EXPECT_TRUE(backup.reap(seconds(10))) << backup.log();
}

}  // namespace
}  // namespace vigil::test
