// Issue 3's failover lab with a client: two vigild directors and a client
// on one LAN (a bridge in its own namespace), a TCP service on the VIP in
// each director that answers with its director's name, so every assertion
// says which director the client reached, not only where the VIP is
// configured. One VRRPv3 instance at advert_int 0.1, over IPv4 and IPv6,
// with preemption on and with nopreempt on both directors.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/director_pair.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr int kServicePort = 8038;

struct Family {
  int af;
  LabAddresses lab;    // VIP, d1 (first), d2 (second)
  const char* client;  // the client's address on the LAN
};

const Family kIpv4{AF_INET,
                   {"10.38.0.100", "10.38.0.100/24", "10.38.0.1/24", "10.38.0.2/24", "-4", "inet"},
                   "10.38.0.10/24"};
const Family kIpv6{
    AF_INET6,
    {"fd00:38::100", "fd00:38::100/64", "fd00:38::1/64", "fd00:38::2/64", "-6", "inet6"},
    "fd00:38::10/64"};

struct Scenario {
  int af;
  bool preempt;
};

// The service: listens on the VIP (a non-local bind, so it is up before
// the VIP is) and answers every connection with the director's name.
std::vector<std::string> nameServer(const std::string& vip, const std::string& name) {
  return {"python3", "-c",
          "import socket\n"
          "s = socket.socket(socket.AF_INET6 if ':' in '" +
              vip +
              "' else socket.AF_INET)\n"
              "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
              "s.bind(('" +
              vip + "', " + std::to_string(kServicePort) +
              "))\n"
              "s.listen(16)\n"
              "while True:\n"
              "    c, _ = s.accept()\n"
              "    c.sendall(b'" +
              name +
              "\\n')\n"
              "    c.close()\n"};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Connects from `client` to the service on the VIP and returns the name in
// the reply ("d1", "d2"), or "" when nobody answered within about a second.
std::string whoAnswers(const NetNs& client, const Family& family) {
  int raw = -1;
  {
    NetNsEnter enter(client);  // the socket stays in the client's namespace
    if (!enter.ok()) return "";
    raw = ::socket(family.af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  Fd fd(raw);
  if (fd.get() < 0) return "";
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family.af == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(kServicePort);
    ::inet_pton(AF_INET, family.lab.vip, &in->sin_addr);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(kServicePort);
    ::inet_pton(AF_INET6, family.lab.vip, &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 &&
      errno != EINPROGRESS) {
    return "";
  }
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, 1000) != 1 || (p.revents & POLLIN) == 0) return "";
  std::array<char, 16> buffer{};
  const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
  if (n <= 0) return "";
  std::string reply(buffer.data(), static_cast<size_t>(n));
  if (reply.back() == '\n') reply.pop_back();
  return reply;
}

// One director: its namespace, its vigild (restartable, in a process group
// of its own) and its name service.
class Director {
 public:
  Director(const NetNs& ns, const Family& family, const std::filesystem::path& dir,
           std::string name, int priority, bool preempt)
      : ns_(ns), family_(family), dir_(dir), name_(std::move(name)) {
    std::ofstream(dir_ / (name_ + ".conf")) << configText(priority, preempt);
  }

  bool startService() {
    service_ = std::make_unique<NsProcess>(ns_, (dir_ / (name_ + "-service.log")).string(),
                                           nameServer(family_.lab.vip, name_));
    return service_->start();
  }
  // Starts vigild, after removing the notify markers of an earlier run.
  bool startVigild() {
    std::filesystem::remove(marker("master"));
    std::filesystem::remove(marker("backup"));
    vigild_ = std::make_unique<NsProcess>(ns_, (dir_ / (name_ + ".log")).string(),
                                          directorArgs(dir_, name_));
    return vigild_->start();
  }
  // SIGKILL of every vigild process (the group: no priority-0 advert).
  bool killVigild() {
    vigild_->killGroup();
    return vigild_->reap(5s);
  }
  // SIGTERM of the supervisor: the graceful stop.
  bool stopVigild() {
    vigild_->signal(SIGTERM);
    return vigild_->reap(10s);
  }

  bool holdsVip() const { return test::holdsVip(ns_, family_.lab); }
  bool notified(const std::string& state) const { return std::filesystem::exists(marker(state)); }
  std::string log() const { return vigild_ ? vigild_->log() : std::string(); }

 private:
  std::string marker(const std::string& state) const {
    return (dir_ / (name_ + "." + state)).string();
  }
  std::string configText(int priority, bool preempt) const {
    std::ostringstream out;
    out << "global_defs {\n  router_id " << name_ << "\n  dataplane none\n  metrics_listen off\n}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 38\n"
        << "  version 3\n  advert_int 0.1\n  priority " << priority << "\n"
        << (preempt ? "" : "  nopreempt\n") << "  notify_master \"/usr/bin/touch "
        << marker("master") << "\"\n  notify_backup \"/usr/bin/touch " << marker("backup")
        << "\"\n  virtual_ipaddress {\n    " << family_.lab.vipPrefix << "\n  }\n}\n";
    return out.str();
  }

  const NetNs& ns_;
  const Family& family_;
  std::filesystem::path dir_;
  std::string name_;
  std::unique_ptr<NsProcess> service_;
  std::unique_ptr<NsProcess> vigild_;
};

class FailoverClientTest : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1ns_.ok() && d2ns_.ok() && clientNs_.ok());
    char pattern[] = "/tmp/vigil-failover-client-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1ns_, "p1", family().lab.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2ns_, "p2", family().lab.second));
    ASSERT_TRUE(plugIntoBridge(bridge_, clientNs_, "pc", family().client));
    for (const NetNs* ns : {&d1ns_, &d2ns_}) {
      ASSERT_EQ(
          ns->exec("sysctl -qw net.ipv4.ip_nonlocal_bind=1 net.ipv6.ip_nonlocal_bind=1").exitCode,
          0);
    }
    d1_ = std::make_unique<Director>(d1ns_, family(), dir_, "d1", 200, GetParam().preempt);
    d2_ = std::make_unique<Director>(d2ns_, family(), dir_, "d2", 100, GetParam().preempt);
    ASSERT_TRUE(d1_->startService() && d2_->startService());
  }
  void TearDown() override {
    d1_.reset();  // kills what is left of vigild and the service, by pid
    d2_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const Family& family() { return GetParam().af == AF_INET6 ? kIpv6 : kIpv4; }
  std::string whoAnswers() const { return test::whoAnswers(clientNs_, family()); }
  // Whether the client reaches director `name` within `limit`.
  bool clientReaches(const std::string& name, std::chrono::milliseconds limit) const {
    return waitFor(limit, [&] { return whoAnswers() == name; }).has_value();
  }
  bool setBridgePort(const std::string& port, bool plugged) const {
    return bridge_.exec("ip link set " + port + (plugged ? " master br0" : " nomaster")).exitCode ==
           0;
  }
  std::string logs() const { return "\nd1:\n" + d1_->log() + "\nd2:\n" + d2_->log(); }

  // d1 (priority 200) is MASTER, d2 (100) BACKUP, and the client reaches d1.
  void startBoth() {
    // d1 first: started together on a loaded machine, d2 may come up a
    // Master_Down_Interval before d1 (and, with nopreempt, keep the VIP).
    ASSERT_TRUE(d1_->startVigild());
    ASSERT_TRUE(waitFor(10s, [&] { return d1_->holdsVip(); })) << logs();
    ASSERT_TRUE(d2_->startVigild());
    ASSERT_TRUE(waitFor(10s, [&] { return d2_->notified("backup"); })) << logs();
    ASSERT_TRUE(clientReaches("d1", 10s)) << logs();
    EXPECT_FALSE(d2_->holdsVip()) << logs();
  }

  NetNs bridge_{"h8br"};
  NetNs d1ns_{"h8d1"};
  NetNs d2ns_{"h8d2"};
  NetNs clientNs_{"h8cl"};
  std::filesystem::path dir_;
  std::unique_ptr<Director> d1_;
  std::unique_ptr<Director> d2_;
};

// Hard failure: d1's port leaves the bridge (d1 itself still thinks it is
// MASTER and keeps its VIP), then every vigild process of d1 is SIGKILLed.
// d2 takes over and the client reaches d2. d1 comes back (plugged in,
// vigild restarted): with preemption it takes the VIP back and the client
// reaches d1 again; with nopreempt the VIP stays on d2.
TEST_P(FailoverClientTest, HardFailureMovesTheVipAndTheOldMasterReturns) {
  startBoth();
  ASSERT_TRUE(setBridgePort("p1", false));
  ASSERT_TRUE(d1_->killVigild()) << logs();
  EXPECT_TRUE(waitFor(10s, [&] { return d2_->holdsVip(); })) << logs();
  EXPECT_TRUE(clientReaches("d2", 10s)) << logs();
  // Nobody renews the dead master's VIP (vip_lifetime, 2 s by default), so
  // it is gone before d1 is plugged in again.
  ASSERT_TRUE(waitFor(5s, [&] { return !d1_->holdsVip(); })) << logs();

  ASSERT_TRUE(setBridgePort("p1", true));
  ASSERT_TRUE(d1_->startVigild());
  if (GetParam().preempt) {
    EXPECT_TRUE(clientReaches("d1", 10s)) << logs();
    EXPECT_TRUE(waitFor(5s, [&] { return !d2_->holdsVip(); })) << logs();
    EXPECT_TRUE(d1_->holdsVip()) << logs();
  } else {
    ASSERT_TRUE(waitFor(10s, [&] { return d1_->notified("backup"); })) << logs();
    // Master_Down_Interval is 3 * 0.1 s + Skew_Time (0.022 s at priority
    // 200): a second is three of them, and d1 hears d2 throughout.
    EXPECT_FALSE(waitFor(1s, [&] { return d1_->holdsVip() || !d2_->holdsVip(); })) << logs();
    EXPECT_EQ(whoAnswers(), "d2") << logs();
    EXPECT_FALSE(d1_->notified("master")) << logs();
  }
}

// Graceful stop: SIGTERM of d1's vigild removes its VIP and sends
// priority 0; d2 takes over and the client reaches it.
TEST_P(FailoverClientTest, GracefulStopMovesTheVip) {
  startBoth();
  ASSERT_TRUE(d1_->stopVigild()) << logs();
  EXPECT_FALSE(d1_->holdsVip()) << logs();
  EXPECT_TRUE(waitFor(10s, [&] { return d2_->holdsVip(); })) << logs();
  EXPECT_TRUE(clientReaches("d2", 10s)) << logs();
}

INSTANTIATE_TEST_SUITE_P(FamiliesAndPreemption, FailoverClientTest,
                         ::testing::Values(Scenario{AF_INET, true}, Scenario{AF_INET, false},
                                           Scenario{AF_INET6, true}, Scenario{AF_INET6, false}),
                         [](const auto& info) {
                           return std::string(info.param.af == AF_INET6 ? "Ipv6" : "Ipv4") +
                                  (info.param.preempt ? "Preempt" : "Nopreempt");
                         });

}  // namespace
}  // namespace vigil::test
