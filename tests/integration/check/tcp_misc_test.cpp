#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "check/checker.h"
#include "check/probe_factory.h"
#include "core/posix_event_loop.h"
#include "core/process_spawner.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"
#include "support/fast_checker.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "vrrp/script_runner_security.h"

// TCP_CHECK against real sockets in a network namespace of its own, and
// MISC_CHECK running real scripts. Every wait is bounded by what the
// configured timing allows, plus slack for a loaded CI machine.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using vigil::fakes::runUntil;

constexpr milliseconds kSlack{1500};
constexpr milliseconds kFlipBound = test::fastFlipBound(kSlack);

config::Checker tcpChecker(std::string_view address, uint16_t port) {
  config::Checker c = test::fastChecker(config::CheckerType::Tcp, address, port);
  c.probe = std::make_shared<const config::CheckerProbe>(config::TcpCheck{});
  return c;
}

// A listening socket on 127.0.0.1:port; connects complete in the kernel
// (backlog) without anyone accepting.
UniqueFd listenOn(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0 ||
      ::listen(fd.get(), 64) < 0) {
    return UniqueFd();
  }
  return fd;
}

class TcpCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::runningAsRoot()) {
      GTEST_SKIP() << "needs root for a network namespace";
    }
    ns_ = std::make_unique<test::NetNs>("vcc");
    ASSERT_TRUE(ns_->ok());
    ASSERT_EQ(ns_->exec("ip link set lo up").exitCode, 0);
    enter_ = std::make_unique<test::NetNsEnter>(*ns_);
    ASSERT_TRUE(enter_->ok());
  }
  void TearDown() override {
    checker_.reset();
    enter_.reset();
    ns_.reset();
  }

  Checker& start(const config::Checker& c) {
    checker_ = test::startChecker(loop_, c, ProbeDeps{});
    return *checker_;
  }

  PosixEventLoop loop_;
  std::unique_ptr<test::NetNs> ns_;
  std::unique_ptr<test::NetNsEnter> enter_;
  std::unique_ptr<Checker> checker_;
};

TEST_F(TcpCheckTest, FollowsAListenerGoingAwayAndComingBack) {
  constexpr uint16_t kPort = 18080;
  UniqueFd listener = listenOn(kPort);
  ASSERT_TRUE(listener.valid());
  Checker& checker = start(tcpChecker("127.0.0.1", kPort));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));

  listener.reset();
  ASSERT_TRUE(runUntil(
      loop_, [&] { return !checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);
  EXPECT_EQ(checker.counters().count(Outcome::Refused), test::kFastRetry + 1);

  listener = listenOn(kPort);
  ASSERT_TRUE(listener.valid());
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.counters().upTransitions(), 2U);
}

TEST_F(TcpCheckTest, ARefusedPortIsDownAsRefused) {
  Checker& checker = start(tcpChecker("127.0.0.1", 18081));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= 2; }, kFlipBound));
  EXPECT_FALSE(checker.up());
  EXPECT_EQ(checker.counters().count(Outcome::Refused), checker.counters().total());
}

TEST_F(TcpCheckTest, ABlackHoledServerTimesOut) {
  constexpr uint16_t kPort = 18082;
  UniqueFd listener = listenOn(kPort);
  ASSERT_TRUE(listener.valid());
  std::string rules = "/tmp/" + ns_->name() + ".nft";
  {
    std::ofstream out(rules);
    out << "table inet vcc {\n  chain in {\n    type filter hook input priority 0;\n"
        << "    tcp dport " << kPort << " drop\n  }\n}\n";
  }
  auto loaded = test::runCommand("ip netns exec " + ns_->name() + " nft -f " + rules);
  std::filesystem::remove(rules);
  ASSERT_EQ(loaded.exitCode, 0) << loaded.output;

  config::Checker c = tcpChecker("127.0.0.1", kPort);
  c.base.alpha = false;  // starts up: the drop must take it down
  Checker& checker = start(c);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return !checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Timeout);
  EXPECT_EQ(checker.counters().count(Outcome::Timeout), test::kFastRetry + 1);
  EXPECT_GE(*checker.lastDuration(), test::kFastConnectTimeout);
}

TEST_F(TcpCheckTest, BindtoAndBindPortAreUsed) {
  constexpr uint16_t kPort = 18083;
  UniqueFd listener = listenOn(kPort);
  ASSERT_TRUE(listener.valid());
  config::Checker c = tcpChecker("127.0.0.1", kPort);
  // The full handshake, so the connection waits in the listener's backlog:
  // the default connect mode resets before the final ACK and queues nothing.
  config::TcpCheck handshake;
  handshake.mode = config::TcpCheckMode::Handshake;
  handshake.modeSet = true;
  c.probe = std::make_shared<const config::CheckerProbe>(handshake);
  c.target.setBinding(config::ProbeBinding{.address = *IpAddress::parse("127.0.0.2"),
                                           .interface = *config::InterfaceName::from("lo"),
                                           .fwmark = 5,
                                           .port = 18999});
  c.base.delayLoop = std::chrono::seconds(60);  // one attempt is enough
  Checker& checker = start(c);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  // The connection waits in the listener's backlog: accept it (never
  // blocking: a connection that is not there fails the test) and look at
  // where it came from.
  pollfd ready{listener.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, 5000), 1) << "no connection in the listener's backlog";
  sockaddr_in peer{};
  socklen_t len = sizeof(peer);
  UniqueFd accepted(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                              SOCK_NONBLOCK | SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  EXPECT_EQ(ntohl(peer.sin_addr.s_addr), 0x7f000002U);
  EXPECT_EQ(ntohs(peer.sin_port), 18999);
}

TEST_F(TcpCheckTest, ABindtoAddressTheHostLacksIsANetworkError) {
  config::Checker c = tcpChecker("127.0.0.1", 18084);
  c.target.setBinding(config::ProbeBinding{.address = *IpAddress::parse("192.0.2.1")});
  Checker& checker = start(c);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= 1; }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::NetworkError);
  EXPECT_FALSE(checker.up());
}

// MISC_CHECK with real scripts. misc_path is split and its `user`
// resolved by the VRRP scripts' own rules, as vigild does.
class MiscCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vcc-misc-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ::chmod(dir_.c_str(), 0777);
    loop_.setKillGrace(milliseconds(200));
    deps_.spawner = &spawner_;
    deps_.prepareScript = [](const config::ScriptCommand& command) -> Result<SpawnRequest> {
      SpawnRequest request;
      request.argv = vrrp::splitCommand(command.command);
      if (!command.user.empty()) {
        auto account = vrrp::resolveAccount(command.user, command.group);
        if (!account) {
          return account.error();
        }
        request.runAs = *account;
      }
      return request;
    };
  }
  void TearDown() override {
    checker_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }

  Checker& start(const std::string& command, bool dynamic, milliseconds timeout,
                 std::string user = {}) {
    config::Checker c = tcpChecker("127.0.0.1", 80);
    c.base.type = config::CheckerType::Misc;
    c.base.retry = 0;
    config::MiscCheck misc;
    misc.script.command = command;
    misc.script.user = std::move(user);
    misc.timeout = timeout;
    misc.dynamic = dynamic;
    c.probe = std::make_shared<const config::CheckerProbe>(misc);
    checker_ = test::startChecker(loop_, c, deps_);
    return *checker_;
  }

  std::string dir_;
  PosixEventLoop loop_;
  PosixProcessSpawner spawner_{loop_};
  ProbeDeps deps_;
  std::unique_ptr<Checker> checker_;
};

TEST_F(MiscCheckTest, ExitZeroUpExitOneDown) {
  std::string flag = dir_ + "/healthy";
  std::ofstream(flag) << "";
  Checker& checker = start(script("check", "test -e " + flag), false, milliseconds(1000));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  std::filesystem::remove(flag);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return !checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::ScriptExit);
}

TEST_F(MiscCheckTest, MiscDynamicSetsTheWeightFromTheExitCode) {
  Checker& checker = start(script("weigh", "exit 12"), true, milliseconds(1000));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.weight(), 10U);
}

TEST_F(MiscCheckTest, AScriptPastMiscTimeoutIsKilledAndReaped) {
  std::string pidFile = dir_ + "/pid";
  Checker& checker =
      start(script("hang", "echo $$ > " + pidFile + "\nexec sleep 30"), false, milliseconds(300));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= 1; }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::ScriptTimeout);
  checker.stop();
  pid_t pid = 0;
  std::ifstream(pidFile) >> pid;
  ASSERT_GT(pid, 0);
  // Reaped, not a zombie: the pid is gone from /proc altogether.
  std::string proc = "/proc/" + std::to_string(pid);
  EXPECT_TRUE(runUntil(
      loop_, [&] { return !std::filesystem::exists(proc); }, kSlack));
}

TEST_F(MiscCheckTest, RunsAsTheConfiguredUser) {
  if (!test::runningAsRoot()) {
    GTEST_SKIP() << "switching accounts needs root";
  }
  std::string out = dir_ + "/uid";
  Checker& checker = start(script("whoami", "id -u > " + out), false, milliseconds(1000), "nobody");
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= 1; }, kFlipBound));
  EXPECT_TRUE(checker.up());
  std::string uid;
  std::ifstream(out) >> uid;
  EXPECT_EQ(uid, "65534");
}

}  // namespace
}  // namespace vigil::check
