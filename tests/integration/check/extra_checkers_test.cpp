#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "check/checker.h"
#include "check/probe_factory.h"
#include "core/posix_event_loop.h"
#include "fakes/run_until.h"
#include "support/fast_checker.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// SMTP_CHECK, DNS_CHECK, UDP_CHECK and PING_CHECK against real peers (small
// python3 servers, the kernel's own ICMP echo) in a network namespace of
// their own. Each check must follow its peer going away. Every wait is
// bounded by what the configured timing allows plus slack for python's
// start-up on a loaded CI machine.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using vigil::fakes::runUntil;

// Each attempt may also take python's second beyond connect_timeout.
constexpr milliseconds kFlipBound =
    test::fastFlipBound(milliseconds(4000), std::chrono::seconds(1));

// An SMTP server: greets with argv[2], then 250 to HELO, 221 to QUIT.
constexpr const char* kSmtpServer = R"(
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[2].encode() + b' h3 ESMTP\r\n')
    for line in c.makefile('rb'):
        word = line.strip().upper()
        if word.startswith(b'HELO '):
            c.sendall(b'250 hello\r\n')
        elif word == b'QUIT':
            c.sendall(b'221 bye\r\n')
            break
        else:
            c.sendall(b'500 what\r\n')
    c.close()
)";

// A DNS server answering every query with rcode argv[2] and, for NOERROR,
// one A record (192.0.2.1) by a compression pointer to the question.
constexpr const char* kDnsServer = R"(
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
rcode = int(sys.argv[2])
while True:
    q, peer = s.recvfrom(512)
    qid = struct.unpack('!H', q[:2])[0]
    answer = b''
    if rcode == 0:
        answer = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + bytes([192, 0, 2, 1])
    header = struct.pack('!HHHHHH', qid, 0x8180 | rcode, 1, 1 if answer else 0, 0, 0)
    s.sendto(header + q[12:] + answer, peer)
)";

// A UDP server that echoes what it gets, or (argv[2] == "sink") says
// nothing.
constexpr const char* kUdpServer = R"(
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    if sys.argv[2] == 'echo':
        s.sendto(data, peer)
)";

// A python3 peer started in the test's namespace (the forked child
// inherits the calling thread's), killed by its PID.
class PythonPeer {
 public:
  PythonPeer(const char* script, std::vector<std::string> args) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv = {const_cast<char*>("/usr/bin/python3"), const_cast<char*>("-c"),
                                 const_cast<char*>(script)};
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~PythonPeer() { stop(); }
  PythonPeer(const PythonPeer&) = delete;
  PythonPeer& operator=(const PythonPeer&) = delete;

  bool started() const { return pid_ > 0; }
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

config::Checker checkerOf(config::CheckerType type, config::CheckerProbe probe,
                          std::string_view address, uint16_t port) {
  config::Checker c = test::fastChecker(type, address, port);
  if (auto* smtp = std::get_if<config::SmtpCheck>(&probe); smtp != nullptr && smtp->hosts.empty()) {
    smtp->hosts.push_back(c.target);
  }
  c.probe = std::make_shared<const config::CheckerProbe>(std::move(probe));
  return c;
}

class ExtraCheckersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::runningAsRoot()) {
      GTEST_SKIP() << "needs root for a network namespace";
    }
    ns_ = std::make_unique<test::NetNs>("h3x");
    ASSERT_TRUE(ns_->ok());
    ASSERT_EQ(ns_->exec("ip link set lo up").exitCode, 0);
    enter_ = std::make_unique<test::NetNsEnter>(*ns_);
    ASSERT_TRUE(enter_->ok());
  }
  void TearDown() override {
    checker_.reset();
    peers_.clear();
    enter_.reset();
    ns_.reset();
  }

  PythonPeer& peer(const char* script, std::vector<std::string> args) {
    peers_.push_back(std::make_unique<PythonPeer>(script, std::move(args)));
    EXPECT_TRUE(peers_.back()->started());
    return *peers_.back();
  }

  Checker& start(const config::Checker& c) {
    checker_.reset();
    checker_ = test::startChecker(loop_, c, ProbeDeps{});
    return *checker_;
  }

  bool waitUp(Checker& checker) {
    return runUntil(
        loop_, [&] { return checker.up(); }, kFlipBound);
  }
  bool waitDown(Checker& checker) {
    return runUntil(
        loop_, [&] { return !checker.up(); }, kFlipBound);
  }

  PosixEventLoop loop_;
  std::unique_ptr<test::NetNs> ns_;
  std::unique_ptr<test::NetNsEnter> enter_;
  std::vector<std::unique_ptr<PythonPeer>> peers_;
  std::unique_ptr<Checker> checker_;
};

TEST_F(ExtraCheckersTest, SmtpCheckFollowsTheServer) {
  PythonPeer& server = peer(kSmtpServer, {"2525", "220"});
  config::SmtpCheck smtp;
  smtp.heloName = "h3.example.org";
  Checker& checker = start(checkerOf(config::CheckerType::Smtp, smtp, "127.0.0.1", 2525));
  ASSERT_TRUE(waitUp(checker)) << checker.lastDetail();

  server.stop();
  ASSERT_TRUE(waitDown(checker));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);
}

TEST_F(ExtraCheckersTest, SmtpCheckNeedsEveryHostAndA220Greeting) {
  peer(kSmtpServer, {"2526", "220"});
  peer(kSmtpServer, {"2527", "554"});
  config::SmtpCheck smtp;
  config::Checker c = checkerOf(config::CheckerType::Smtp, smtp, "127.0.0.1", 2526);
  smtp.hosts.push_back(c.target);
  config::ProbeTarget refusing = c.target;
  refusing.port = 2527;
  smtp.hosts.push_back(refusing);
  c.probe = std::make_shared<const config::CheckerProbe>(smtp);
  c.base.alpha = false;
  Checker& checker = start(c);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.lastOutcome() == Outcome::BadReply && !checker.up(); },
      kFlipBound));
  EXPECT_EQ(checker.lastDetail(), "[127.0.0.1]:2527: greeting 554");
}

TEST_F(ExtraCheckersTest, DnsCheckFollowsTheServerAndItsRcode) {
  PythonPeer& server = peer(kDnsServer, {"5353", "0"});
  config::DnsCheck dns;
  dns.type = config::DnsType::A;
  dns.name = "www.example.org";
  Checker& checker = start(checkerOf(config::CheckerType::Dns, dns, "127.0.0.1", 5353));
  ASSERT_TRUE(waitUp(checker));

  server.stop();
  ASSERT_TRUE(waitDown(checker));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);

  peer(kDnsServer, {"5353", "3"});  // NXDOMAIN
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.lastOutcome() == Outcome::BadReply; }, kFlipBound));
  EXPECT_FALSE(checker.up());
  EXPECT_EQ(checker.lastDetail(), "rcode 3 (NXDOMAIN)");
}

TEST_F(ExtraCheckersTest, UdpCheckWithRequireReplyFollowsAnEchoServer) {
  PythonPeer& server = peer(kUdpServer, {"7007", "echo"});
  config::UdpCheck udp;
  udp.payload = {0xab, 0x12, 0x0f};
  udp.requireReply = true;
  udp.reply = {{0xab, 0xff}, {0x02, 0x0f}};  // "ab x2"
  udp.minReplyLength = 3;
  Checker& checker = start(checkerOf(config::CheckerType::Udp, udp, "127.0.0.1", 7007));
  ASSERT_TRUE(waitUp(checker));

  server.stop();
  ASSERT_TRUE(waitDown(checker));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);
}

TEST_F(ExtraCheckersTest, UdpCheckWithoutRequireReplyIsUpOnSilenceAndDownOnPortUnreachable) {
  PythonPeer& sink = peer(kUdpServer, {"7008", "sink"});
  config::UdpCheck udp;  // random payload, no reply required
  config::Checker c = checkerOf(config::CheckerType::Udp, udp, "127.0.0.1", 7008);
  Checker& checker = start(c);
  // The sink may not be bound yet: wait for a pass, which only silence gives.
  ASSERT_TRUE(waitUp(checker));
  EXPECT_EQ(checker.lastDetail(), "no ICMP error");

  sink.stop();
  ASSERT_TRUE(waitDown(checker));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);
}

TEST_F(ExtraCheckersTest, PingCheckFollowsALiveAddressAndFailsADeadOne) {
  ASSERT_EQ(ns_->exec("ip link add h3a type veth peer name h3b && ip link set h3a up && "
                      "ip link set h3b up && ip addr add 10.99.0.1/24 dev h3a && "
                      "ip addr add 10.99.0.2/24 dev h3b")
                .exitCode,
            0);
  Checker& live = start(checkerOf(config::CheckerType::Ping, config::PingCheck{}, "10.99.0.2", 0));
  ASSERT_TRUE(waitUp(live));
  // The address leaves: the echo goes out h3a and nobody answers.
  ASSERT_EQ(ns_->exec("ip addr del 10.99.0.2/24 dev h3b").exitCode, 0);
  ASSERT_TRUE(waitDown(live));
  EXPECT_NE(checker_->lastOutcome(), Outcome::Up);

  config::Checker dead = checkerOf(config::CheckerType::Ping, config::PingCheck{}, "10.99.0.3", 0);
  dead.base.alpha = false;
  Checker& deadChecker = start(dead);
  ASSERT_TRUE(waitDown(deadChecker));
  EXPECT_EQ(deadChecker.counters().upTransitions(), 0U);
}

TEST_F(ExtraCheckersTest, PingCheckUsesAPingSocketWhenTheGroupIsAllowedAndPingsIpv6) {
  ASSERT_EQ(ns_->exec("sysctl -qw net.ipv4.ping_group_range=\"0 2147483647\"").exitCode, 0);
  Checker& v4 = start(checkerOf(config::CheckerType::Ping, config::PingCheck{}, "127.0.0.1", 0));
  ASSERT_TRUE(waitUp(v4));
  Checker& v6 = start(checkerOf(config::CheckerType::Ping, config::PingCheck{}, "::1", 0));
  ASSERT_TRUE(waitUp(v6));
}

TEST_F(ExtraCheckersTest, PingCheckFallsBackToARawSocket) {
  ASSERT_EQ(ns_->exec("sysctl -qw net.ipv4.ping_group_range=\"1 0\"").exitCode, 0);
  Checker& v4 = start(checkerOf(config::CheckerType::Ping, config::PingCheck{}, "127.0.0.1", 0));
  ASSERT_TRUE(waitUp(v4));
  Checker& v6 = start(checkerOf(config::CheckerType::Ping, config::PingCheck{}, "::1", 0));
  ASSERT_TRUE(waitUp(v6));
}

// The same checkers as vigild runs them from keepalived.conf: the check
// worker reports each real server UP once its peer answers (alpha) and
// DOWN on the lvs_notify_fifo once the peer goes.
class ExtraCheckersDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    ASSERT_TRUE(ns_.ok());
    ASSERT_EQ(ns_.exec("ip link set lo up && ip link add h3c type veth peer name h3d && "
                       "ip link set h3c up && ip link set h3d up && "
                       "ip addr add 10.99.1.1/24 dev h3c && ip addr add 10.99.1.2/24 dev h3d")
                  .exitCode,
              0);
    dir_ = std::filesystem::temp_directory_path() / ("h3-" + ns_.name());
    std::filesystem::create_directories(dir_);
    fifoPath_ = path("lvs.fifo");
    ::mkfifo(fifoPath_.c_str(), 0600);
    fifo_ = ::open(fifoPath_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  void TearDown() override {
    if (fifo_ >= 0) ::close(fifo_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  bool fifoHas(const std::string& line) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fifo_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
    return text_.find(line + "\n") != std::string::npos;
  }

  std::string writeConfig() const {
    const std::string timing =
        "      alpha\n      connect_timeout 0.5\n      delay_loop 0.2\n      retry 0\n"
        "      warmup 0\n";
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n  lvs_notify_fifo " << fifoPath_
      << "\n  metrics_listen off\n}\n"
      << "track_file h3f {\n  file " << path("status") << "\n}\n"
      << "virtual_server 10.0.0.100 25 {\n  protocol TCP\n"
      << "  real_server 127.0.0.1 2530 {\n    SMTP_CHECK {\n"
      << timing << "    }\n  }\n}\n"
      << "virtual_server 10.0.0.100 53 {\n  protocol UDP\n"
      << "  real_server 127.0.0.1 5354 {\n    DNS_CHECK {\n      type A\n      name example.org\n"
      << timing << "    }\n  }\n}\n"
      << "virtual_server 10.0.0.100 7 {\n  protocol UDP\n"
      << "  real_server 127.0.0.1 7009 {\n    UDP_CHECK {\n      payload 0102\n"
      << "      require_reply 01x2\n"
      << timing << "    }\n  }\n}\n"
      << "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  delay_loop 0.2\n"
      << "  real_server 10.99.1.2 80 {\n    PING_CHECK {\n"
      << timing << "    }\n  }\n"
      << "  real_server 127.0.0.1 80 {\n    FILE_CHECK {\n      track_file h3f\n"
      << "      weight 0\n    }\n  }\n}\n";
    std::ofstream(path("vigil.conf")) << c.str();
    return path("vigil.conf");
  }

  test::NetNs ns_{"h3d"};
  std::filesystem::path dir_;
  std::string fifoPath_;
  int fifo_ = -1;
  std::string text_;
};

TEST_F(ExtraCheckersDaemonTest, EachCheckerFollowsItsPeer) {
  std::ofstream(path("status")) << "0\n";
  const std::string config = writeConfig();
  test::NsProcess smtp(ns_, path("smtp.log"), {"python3", "-c", kSmtpServer, "2530", "220"});
  test::NsProcess dns(ns_, path("dns.log"), {"python3", "-c", kDnsServer, "5354", "0"});
  test::NsProcess udp(ns_, path("udp.log"), {"python3", "-c", kUdpServer, "7009", "echo"});
  ASSERT_TRUE(smtp.start() && dns.start() && udp.start());
  test::NsProcess daemon(
      ns_, path("vigild.log"),
      {test::vigild(), "-n", "-l", "-C", "-f", config, "-p", path("vigild.pid")});
  ASSERT_TRUE(daemon.start());

  const std::vector<std::string> servers = {
      "RS [127.0.0.1]:tcp:2530 [10.0.0.100]:tcp:25", "RS [127.0.0.1]:udp:5354 [10.0.0.100]:udp:53",
      "RS [127.0.0.1]:udp:7009 [10.0.0.100]:udp:7", "RS [10.99.1.2]:tcp:80 [10.0.0.100]:tcp:80"};
  for (const std::string& rs : servers) {
    EXPECT_TRUE(test::waitFor(std::chrono::seconds(10), [&] { return fifoHas(rs + " UP"); }))
        << rs << "\n"
        << text_ << daemon.log();
  }

  smtp.killGroup();
  dns.killGroup();
  udp.killGroup();
  ASSERT_EQ(ns_.exec("ip addr del 10.99.1.2/24 dev h3d").exitCode, 0);
  std::ofstream(path("status")) << "1\n";
  std::vector<std::string> down = servers;
  down.push_back("RS [127.0.0.1]:tcp:80 [10.0.0.100]:tcp:80");
  for (const std::string& rs : down) {
    EXPECT_TRUE(test::waitFor(std::chrono::seconds(10), [&] { return fifoHas(rs + " DOWN"); }))
        << rs << "\n"
        << text_ << daemon.log();
  }
  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(std::chrono::seconds(5))) << daemon.log();
}

}  // namespace
}  // namespace vigil::check
