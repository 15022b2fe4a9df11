#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>

#include "check/checker.h"
#include "check/probe_factory.h"
#include "check/tcp_syn_prober.h"
#include "core/posix_event_loop.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"
#include "support/fast_checker.h"
#include "support/netns.h"
#include "support/netns_listener.h"

// TCP_CHECK in syn mode against real kernels: a director namespace whose
// checker sends half-open SYNs over a veth to a server namespace, for IPv4
// and IPv6. A listening port is up, a closed one (RST) down as refused, a
// port dropped by an nftables rule down by timeout until the rule goes; a
// first SYN dropped once is retransmitted within the attempt.
// Every wait is bounded by the configured timing plus slack.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using vigil::fakes::runUntil;

constexpr milliseconds kFlipBound = test::fastFlipBound(milliseconds(2000));
constexpr uint16_t kOpenPort = 8080;
constexpr uint16_t kClosedPort = 8081;

struct Family {
  const char* name;
  int family;
  const char* director;
  const char* server;
};

constexpr Family kIpv4{"ipv4", AF_INET, "10.44.0.1", "10.44.0.2"};
constexpr Family kIpv6{"ipv6", AF_INET6, "fd44::1", "fd44::2"};

config::Checker synChecker(const Family& f, uint16_t port) {
  config::Checker c = test::fastChecker(config::CheckerType::Tcp, f.server, port);
  c.base.logAllFailures = true;  // a failing run's log says why
  c.probe = config::sharedTcpCheck(config::TcpCheck{config::TcpCheckMode::Syn, true});
  return c;
}

class TcpSynCheckTest : public ::testing::TestWithParam<Family> {
 protected:
  void SetUp() override {
    if (!test::runningAsRoot()) {
      GTEST_SKIP() << "needs root for network namespaces and raw sockets";
    }
    director_ = std::make_unique<test::NetNs>("h4d");
    server_ = std::make_unique<test::NetNs>("h4s");
    ASSERT_TRUE(director_->ok() && server_->ok());
    // No duplicate address detection on the veth's link-local addresses:
    // until it ends the first IPv6 packets of a fresh link can go unanswered.
    for (const auto* ns : {director_.get(), server_.get()}) {
      ASSERT_EQ(ns->exec("sysctl -qw net.ipv6.conf.all.accept_dad=0 "
                         "net.ipv6.conf.default.accept_dad=0")
                    .exitCode,
                0);
    }
    ASSERT_EQ(director_
                  ->exec("ip link set lo up && ip link add h4a type veth peer name h4b netns " +
                         server_->name() +
                         " && ip addr add 10.44.0.1/24 dev h4a && "
                         "ip addr add fd44::1/64 dev h4a nodad && ip link set h4a up")
                  .exitCode,
              0);
    ASSERT_EQ(server_
                  ->exec("ip link set lo up && ip addr add 10.44.0.2/24 dev h4b && "
                         "ip addr add fd44::2/64 dev h4b nodad && ip link set h4b up")
                  .exitCode,
              0);
    enter_ = std::make_unique<test::NetNsEnter>(*director_);
    ASSERT_TRUE(enter_->ok());
    prober_ = std::make_unique<TcpSynProber>(loop_);
  }

  void TearDown() override {
    checker_.reset();
    prober_.reset();
    enter_.reset();
    server_.reset();
    director_.reset();
  }

  Checker& start(const config::Checker& c) {
    ProbeDeps deps;
    deps.tcpSyn = prober_.get();
    checker_ = test::startChecker(loop_, c, deps);
    return *checker_;
  }

  PosixEventLoop loop_;
  std::unique_ptr<test::NetNs> director_;
  std::unique_ptr<test::NetNs> server_;
  std::unique_ptr<test::NetNsEnter> enter_;
  std::unique_ptr<TcpSynProber> prober_;
  std::unique_ptr<Checker> checker_;
};

TEST_P(TcpSynCheckTest, AListeningPortIsUpWithoutAnyConnectionCompleting) {
  UniqueFd listener =
      test::listenInNetNs(*server_, *IpAddress::parse(GetParam().server), kOpenPort);
  ASSERT_TRUE(listener.valid());
  Checker& checker = start(synChecker(GetParam(), kOpenPort));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  // Once up, every further attempt is up too.
  const uint64_t before = checker.counters().total();
  const uint64_t upBefore = checker.counters().count(Outcome::Up);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= before + 3; }, kFlipBound));
  EXPECT_TRUE(checker.up());
  EXPECT_EQ(checker.counters().count(Outcome::Up) - upBefore, checker.counters().total() - before);
  EXPECT_NE(prober_->sourcePort(GetParam().family), 0);
  // Half-open: the director's kernel reset every SYN-ACK, so the listener
  // never had a connection to accept (a connect() check leaves one each).
  EXPECT_LT(::accept(listener.get(), nullptr, nullptr), 0);
  EXPECT_EQ(errno, EAGAIN);
}

TEST_P(TcpSynCheckTest, AClosedPortIsDownAsRefused) {
  Checker& checker = start(synChecker(GetParam(), kClosedPort));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().count(Outcome::Refused) >= 2; }, kFlipBound));
  EXPECT_FALSE(checker.up());
  EXPECT_EQ(checker.lastOutcome(), Outcome::Refused);
  EXPECT_EQ(checker.counters().count(Outcome::Up), 0U);
  EXPECT_GE(prober_->counters().resets, 2U);
  EXPECT_EQ(prober_->counters().synAcks, 0U);
}

TEST_P(TcpSynCheckTest, ABlackHoledPortTimesOutAndRecoversWhenTheRuleGoes) {
  UniqueFd listener =
      test::listenInNetNs(*server_, *IpAddress::parse(GetParam().server), kOpenPort);
  ASSERT_TRUE(listener.valid());
  Checker& checker = start(synChecker(GetParam(), kOpenPort));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));

  ASSERT_EQ(server_
                ->exec("nft add table inet h4 && nft add chain inet h4 in "
                       "\"{ type filter hook input priority 0; }\" && "
                       "nft add rule inet h4 in tcp dport " +
                       std::to_string(kOpenPort) + " drop")
                .exitCode,
            0);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return !checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Timeout);
  // Each timed-out attempt sent its SYN three times.
  EXPECT_GE(prober_->counters().timeouts, 1U);
  EXPECT_GE(prober_->counters().retransmits, 2 * prober_->counters().timeouts);

  ASSERT_EQ(server_->exec("nft delete table inet h4").exitCode, 0);
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.up(); }, kFlipBound));
  EXPECT_EQ(checker.counters().upTransitions(), 2U);
}

// A first SYN lost on the way (as to neighbour discovery or DAD on a fresh
// link) must not fail the attempt: a one-shot nftables rule drops exactly
// the first SYN to the port (it remembers the port in a set, then lets
// every later SYN through), and the check must be up at its first result,
// from a retransmit within connect_timeout. Without retransmits the first
// attempt timed out.
TEST_P(TcpSynCheckTest, ALostFirstSynIsRetransmittedWithinTheAttempt) {
  UniqueFd listener =
      test::listenInNetNs(*server_, *IpAddress::parse(GetParam().server), kOpenPort);
  ASSERT_TRUE(listener.valid());
  // The fresh veth first carries a kernel connect() (bounded at ~9 s), so
  // what is lost below is the one SYN the rule drops: on a link this new an
  // IPv6 path can lose every packet for a second or more, which three
  // copies within 500 ms cannot cover.
  ASSERT_EQ(
      director_
          ->exec(std::string("for i in $(seq 30); do timeout 0.3 bash -c \"echo > /dev/tcp/") +
                 GetParam().server + "/" + std::to_string(kOpenPort) +
                 "\" 2>/dev/null && exit 0; done; exit 1")
          .exitCode,
      0);
  const std::string port = std::to_string(kOpenPort);
  ASSERT_EQ(server_
                ->exec("nft add table inet h4 && nft add chain inet h4 in "
                       "\"{ type filter hook input priority 0; }\" && "
                       "nft add set inet h4 seen \"{ type inet_service; flags dynamic; }\" && "
                       "nft add rule inet h4 in tcp dport " +
                       port + " tcp dport @seen accept && nft add rule inet h4 in tcp dport " +
                       port + " add @seen { tcp dport } drop")
                .exitCode,
            0);
  Checker& checker = start(synChecker(GetParam(), kOpenPort));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return checker.counters().total() >= 1; }, kFlipBound));
  EXPECT_EQ(checker.lastOutcome(), Outcome::Up);
  EXPECT_TRUE(checker.up());
  const TcpSynProber::Counters& c = prober_->counters();
  EXPECT_GE(c.retransmits, 1U);
  EXPECT_GE(c.synsSent, 2U);
  EXPECT_EQ(c.synAcks, 1U);
  EXPECT_EQ(c.timeouts, 0U);
}

INSTANTIATE_TEST_SUITE_P(Families, TcpSynCheckTest, ::testing::Values(kIpv4, kIpv6),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vigil::check
