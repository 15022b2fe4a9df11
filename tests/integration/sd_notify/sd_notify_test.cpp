#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "support/wait_for.h"

// vigild under a stand-in for systemd: a unix datagram socket named by
// NOTIFY_SOCKET, WATCHDOG_USEC set. It must say READY=1 once its worker
// reported, keep feeding the watchdog, bracket a reload with RELOADING=1 and
// READY=1, say STOPPING=1 on SIGTERM, and write keepalived-style dumps on
// SIGUSR1 and SIGUSR2. Needs no root: a check worker with dataplane none.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kDataDump = "/tmp/vigil.data";
constexpr const char* kStatsDump = "/tmp/vigil.stats";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h10-sdnotify-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "vigil.conf") << "global_defs {\n"
                                          "  dataplane none\n"
                                          "  metrics_listen off\n"
                                          "  control_socket " +
                                              (dir_ / "vigild.sock").string() +
                                              "\n"
                                              "}\n"
                                              "virtual_server 10.0.0.1 80 {\n"
                                              "  delay_loop 0.5\n"
                                              "  protocol TCP\n"
                                              "  real_server 127.0.0.1 1 {\n"
                                              "    TCP_CHECK {\n"
                                              "      connect_timeout 0.5\n"
                                              "    }\n"
                                              "  }\n"
                                              "}\n";
    address_ = "h10-sdnotify-" + std::to_string(::getpid());
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(socket_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, address_.data(), address_.size());
    ASSERT_EQ(::bind(socket_, reinterpret_cast<sockaddr*>(&addr),
                     static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + address_.size())),
              0)
        << std::strerror(errno);
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (socket_ >= 0) ::close(socket_);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void startVigild() {
    const std::string conf = (dir_ / "vigil.conf").string();
    const std::string pid = (dir_ / "vigild.pid").string();
    const std::string check = (dir_ / "check.pid").string();
    const std::string vrrp = (dir_ / "vrrp.pid").string();
    const std::string log = (dir_ / "vigild.log").string();
    const std::string binary = vigild();
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      ::setenv("NOTIFY_SOCKET", ("@" + address_).c_str(), 1);
      ::setenv("WATCHDOG_USEC", "1000000", 1);
      ::unsetenv("WATCHDOG_PID");
      ::execl(binary.c_str(), binary.c_str(), "-n", "-l", "-f", conf.c_str(), "-p", pid.c_str(),
              "-c", check.c_str(), "-r", vrrp.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }

  // The next datagram whose text contains `part`, within `limit`; every
  // datagram received on the way is kept in received_.
  std::optional<std::string> awaitMessage(const std::string& part, milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{socket_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      ssize_t n = ::recv(socket_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::string message(buffer, static_cast<size_t>(n));
      received_.push_back(message);
      if (message.find(part) != std::string::npos) return message;
    }
  }

  std::string log() const { return readFile(dir_ / "vigild.log"); }

  fs::path dir_;
  std::string address_;
  int socket_ = -1;
  pid_t pid_ = -1;
  std::vector<std::string> received_;
};

TEST_F(SdNotifyTest, ReadyWatchdogReloadDumpsAndStop) {
  // Stale dumps from an earlier run must not pass for new ones.
  for (const char* dump : {kDataDump, kStatsDump}) {
    std::error_code ec;
    fs::remove(dump, ec);
    if (fs::exists(dump)) GTEST_SKIP() << dump << " exists and is not ours to remove";
  }
  startVigild();

  auto ready = awaitMessage("READY=1", seconds(20));
  ASSERT_TRUE(ready) << log();
  // The real server starts up (keepalived's rule) until its first check.
  EXPECT_NE(ready->find("STATUS=real servers: "), std::string::npos) << *ready;
  EXPECT_NE(ready->find("/1 up"), std::string::npos) << *ready;

  // WATCHDOG_USEC=1 s: a ping every 0.5 s, as long as the worker lives.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(awaitMessage("WATCHDOG=1", seconds(5))) << "ping " << i << "\n" << log();
  }

  ASSERT_EQ(::kill(pid_, SIGUSR1), 0);
  ASSERT_TRUE(waitFor(seconds(10), [] { return fs::exists(kDataDump); })) << log();
  const std::string data = readFile(kDataDump);
  EXPECT_NE(data.find("check worker: pid "), std::string::npos) << data;
  EXPECT_NE(data.find(" Virtual server "), std::string::npos) << data;

  ASSERT_EQ(::kill(pid_, SIGUSR2), 0);
  ASSERT_TRUE(waitFor(seconds(10), [] { return fs::exists(kStatsDump); })) << log();
  EXPECT_NE(readFile(kStatsDump).find("vigil stats at "), std::string::npos);

  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  auto reloading = awaitMessage("RELOADING=1", seconds(10));
  ASSERT_TRUE(reloading) << log();
  EXPECT_NE(reloading->find("MONOTONIC_USEC="), std::string::npos) << *reloading;
  ASSERT_TRUE(awaitMessage("READY=1", seconds(15))) << log();

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  ASSERT_TRUE(awaitMessage("STOPPING=1", seconds(10))) << log();
  int status = 0;
  auto exited = waitFor(seconds(15), [&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
  ASSERT_TRUE(exited) << log();
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log();
  for (const char* dump : {kDataDump, kStatsDump}) fs::remove(dump);
}

}  // namespace
}  // namespace vigil::test
