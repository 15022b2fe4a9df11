#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// ha_suspend with a real vigild (`dataplane none`) in a namespace: while
// the virtual service's address is not on any interface, its real server
// sees no check connections; `ip addr add` starts the checks (the server
// goes UP on the notify FIFO), `ip addr del` stops them again.
namespace vigil::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kRealPort = 18291;

// A TCP listener that accepts and closes, printing one line per accept.
std::vector<std::string> countingServer(uint16_t port) {
  return {"python3", "-c",
          "import socket\n"
          "s = socket.socket()\n"
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind(('127.0.0.1', " +
              std::to_string(port) +
              "))\n"
              "s.listen(16)\n"
              "while True:\n"
              "    c, _ = s.accept()\n"
              "    c.close()\n"
              "    print('accept', flush=True)\n"};
}

size_t accepts(const NsProcess& server) {
  const std::string log = server.log();
  size_t n = 0;
  for (size_t at = log.find("accept"); at != std::string::npos; at = log.find("accept", at + 1)) {
    ++n;
  }
  return n;
}

class HaSuspendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(ns_.ok());
    ASSERT_EQ(ns_.exec("ip link set lo up && ip link add h9vip type veth peer name h9vipp && "
                       "ip link set h9vipp up && ip link set h9vip up")
                  .exitCode,
              0);
    dir_ = std::filesystem::temp_directory_path() / ("h9-" + ns_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string writeConfig() const {
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n  lvs_notify_fifo " << path("lvs.fifo")
      << "\n  metrics_listen off\n}\n"
      << "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n  ha_suspend\n"
      << "  alpha\n  real_server 127.0.0.1 " << kRealPort << " {\n"
      << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.2\n"
      << "      retry 0\n      warmup 0\n    }\n  }\n}\n";
    std::ofstream(path("vigil.conf")) << c.str();
    return path("vigil.conf");
  }

  NetNs ns_{"h9"};
  std::filesystem::path dir_;
};

// Lines read so far from a FIFO opened for reading before vigild starts.
class Fifo {
 public:
  explicit Fifo(const std::string& path) {
    ::mkfifo(path.c_str(), 0600);
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  ~Fifo() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  size_t count(const std::string& line) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
    size_t found = 0;
    for (size_t at = text_.find(line + "\n"); at != std::string::npos;
         at = text_.find(line + "\n", at + 1)) {
      ++found;
    }
    return found;
  }
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

TEST_F(HaSuspendTest, ChecksRunOnlyWhileTheVirtualAddressIsLocal) {
  const std::string config = writeConfig();
  Fifo fifo(path("lvs.fifo"));
  ASSERT_TRUE(fifo.ok());
  NsProcess server(ns_, path("rs.log"), countingServer(kRealPort));
  ASSERT_TRUE(server.start());
  ASSERT_TRUE(waitFor(seconds(5), [&] {
    return ns_.exec("ss -ltn | grep -q 127.0.0.1:" + std::to_string(kRealPort)).exitCode == 0;
  }));
  NsProcess daemon(ns_, path("vigild.log"),
                   {vigild(), "-n", "-l", "-C", "-f", config, "-p", path("vigild.pid")});
  ASSERT_TRUE(daemon.start());
  ASSERT_TRUE(waitFor(seconds(5), [&] { return std::filesystem::exists(path("vigild.pid")); }))
      << daemon.log();

  // Suspended: with delay_loop 0.2, a running checker would connect about
  // seven times in this window.
  EXPECT_FALSE(waitFor(milliseconds(1500), [&] { return accepts(server) > 0; })) << daemon.log();

  const std::string rs = "RS [127.0.0.1]:tcp:" + std::to_string(kRealPort) + " [10.0.0.100]:tcp:80";
  ASSERT_EQ(ns_.exec("ip addr add 10.0.0.100/32 dev h9vip").exitCode, 0);
  EXPECT_TRUE(waitFor(seconds(5), [&] { return fifo.count(rs + " UP") == 1; }))
      << fifo.text() << daemon.log();
  EXPECT_GT(accepts(server), 0u);

  ASSERT_EQ(ns_.exec("ip addr del 10.0.0.100/32 dev h9vip").exitCode, 0);
  // An attempt already in flight may still land; then nothing more.
  (void)waitFor(milliseconds(700), [] { return false; });
  const size_t settled = accepts(server);
  EXPECT_FALSE(waitFor(milliseconds(1500), [&] { return accepts(server) > settled; }))
      << daemon.log();
  // Suspension keeps the state: the server was not announced DOWN.
  EXPECT_EQ(fifo.count(rs + " DOWN"), 0u) << fifo.text();

  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(seconds(5))) << daemon.log();
}

}  // namespace
}  // namespace vigil::test
