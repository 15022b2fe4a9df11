#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"

// vigild and keepalived 2.2.7 (Debian) as the two routers of one VRRPv3
// VRID on a bridge in its own namespace: whichever has the higher priority
// is master, the other accepts its adverts and stays backup, and a
// graceful stop of the master hands the VIP over, in both directions.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

constexpr const char* kKeepalived = "/usr/sbin/keepalived";
struct Lab {
  const char* vip;
  const char* vipPrefix;
  const char* vigil;
  const char* keepalived;
  const char* ipFlag;
  const char* inet;
};
constexpr Lab kIpv4Lab{"10.9.1.100", "10.9.1.100/24", "10.9.1.1/24", "10.9.1.2/24", "-4", "inet"};
constexpr Lab kIpv6Lab{"fd00:91::100", "fd00:91::100/64", "fd00:91::1/64", "fd00:91::2/64", "-6",
                       "inet6"};

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = SteadyTime::now() + limit;
  while (SteadyTime::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

std::string instanceConfig(const Lab& lab, int priority) {
  return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n"
         "  version 3\n  priority " +
         std::to_string(priority) + "\n  advert_int 0.1\n  virtual_ipaddress {\n    " +
         lab.vipPrefix + "\n  }\n}\n";
}

// A router process (vigild or keepalived) in a namespace and a process
// group of its own; the destructor SIGKILLs whatever of it is left.
class Router {
 public:
  Router(const NetNs& ns, const Lab& lab, std::string log, std::vector<std::string> argv)
      : ns_(ns), lab_(lab), log_(std::move(log)), argv_(std::move(argv)) {}
  ~Router() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      reap(5s);
    }
  }

  bool start() {
    std::vector<std::string> full = {"ip", "netns", "exec", ns_.name()};
    full.insert(full.end(), argv_.begin(), argv_.end());
    std::vector<char*> args;
    for (std::string& a : full) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execvp("ip", args.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
    return pid_ > 0;
  }

  void signal(int signo) const { ::kill(pid_, signo); }

  bool reap(std::chrono::milliseconds limit) {
    const bool exited = waitFor(
        [&] {
          int status = 0;
          return ::waitpid(pid_, &status, WNOHANG) == pid_;
        },
        limit);
    if (exited) pid_ = -1;
    return exited;
  }

  bool holdsVip() const {
    // No quotes: NetNs::exec wraps the command in single quotes.
    return ns_.exec(std::string("ip ") + lab_.ipFlag + " addr show dev eth0 | grep -qF " +
                    lab_.inet + "\\ " + lab_.vip + "/")
               .exitCode == 0;
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  const NetNs& ns_;
  const Lab& lab_;
  std::string log_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
};

class KeepalivedVrrpTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (!std::filesystem::exists(kKeepalived)) GTEST_SKIP() << "keepalived is not installed";
    ASSERT_TRUE(bridge_.ok() && vigilNs_.ok() && keepalivedNs_.ok());
    char pattern[] = "/tmp/vigil-interop-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(bridge_.exec("ip link add br0 type bridge && ip link set br0 up").exitCode, 0);
    plug(vigilNs_, "p1", lab().vigil);
    plug(keepalivedNs_, "p2", lab().keepalived);
  }
  void TearDown() override {
    vigil_.reset();
    keepalived_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const Lab& lab() { return GetParam() == AF_INET6 ? kIpv6Lab : kIpv4Lab; }

  void plug(const NetNs& ns, const std::string& port, const std::string& address) {
    ASSERT_EQ(ns.exec("sysctl -qw net.ipv6.conf.default.accept_dad=0").exitCode, 0);
    ASSERT_EQ(bridge_
                  .exec("ip link add " + port + " type veth peer name eth0 netns " + ns.name() +
                        " && ip link set " + port + " master br0 up")
                  .exitCode,
              0);
    ASSERT_EQ(
        ns.exec("ip link set lo up && ip addr add " + address + " dev eth0 && ip link set eth0 up")
            .exitCode,
        0);
  }

  void startVigil(int priority) {
    const std::string conf = dir_ + "/vigil.conf";
    std::ofstream(conf) << instanceConfig(lab(), priority);
    vigil_ = std::make_unique<Router>(
        vigilNs_, lab(), dir_ + "/vigil.log",
        std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", conf,
                                 "-p", dir_ + "/vigil.pid", "-r", dir_ + "/vigil-vrrp.pid"});
    ASSERT_TRUE(vigil_->start());
  }

  // VRRP only (-P): keepalived's checker process exits without IPVS.
  void startKeepalived(int priority) {
    const std::string conf = dir_ + "/keepalived.conf";
    std::ofstream(conf) << instanceConfig(lab(), priority);
    keepalived_ = std::make_unique<Router>(
        keepalivedNs_, lab(), dir_ + "/keepalived.log",
        std::vector<std::string>{kKeepalived, "-n", "-l", "-P", "-f", conf, "-p",
                                 dir_ + "/keepalived.pid", "-r", dir_ + "/keepalived-vrrp.pid"});
    ASSERT_TRUE(keepalived_->start());
  }

  // `master` takes the VIP; `backup` never does while the master runs.
  void expectOneMaster(Router& master, Router& backup) {
    ASSERT_TRUE(waitFor([&] { return master.holdsVip(); }, 10s)) << master.log() << backup.log();
    EXPECT_FALSE(waitFor([&] { return backup.holdsVip(); }, 2s)) << backup.log();
    EXPECT_TRUE(master.holdsVip()) << master.log();
  }

  // A graceful stop of the master (priority-0 advert) hands the VIP over.
  void expectTakeoverOnStop(Router& master, Router& backup) {
    master.signal(SIGTERM);
    ASSERT_TRUE(master.reap(10s)) << master.log();
    EXPECT_FALSE(master.holdsVip());
    EXPECT_TRUE(waitFor([&] { return backup.holdsVip(); }, 10s)) << backup.log();
  }

  NetNs bridge_{"vgibr"};
  NetNs vigilNs_{"vgiv"};
  NetNs keepalivedNs_{"vgik"};
  std::string dir_;
  std::unique_ptr<Router> vigil_;
  std::unique_ptr<Router> keepalived_;
};

TEST_P(KeepalivedVrrpTest, VigilMasterKeepalivedBackupThenKeepalivedTakesOver) {
  startKeepalived(100);
  startVigil(200);
  expectOneMaster(*vigil_, *keepalived_);
  expectTakeoverOnStop(*vigil_, *keepalived_);
}

TEST_P(KeepalivedVrrpTest, KeepalivedMasterVigilBackupThenVigilTakesOver) {
  startVigil(100);
  startKeepalived(200);
  expectOneMaster(*keepalived_, *vigil_);
  expectTakeoverOnStop(*keepalived_, *vigil_);
}

INSTANTIATE_TEST_SUITE_P(Families, KeepalivedVrrpTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& info) { return info.param == AF_INET6 ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vigil::test
