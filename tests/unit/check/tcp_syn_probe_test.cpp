#include "check/tcp_syn_probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <vector>

#include "check/tcp_syn_prober.h"
#include "core/simulated_loop.h"

// The half-open probe's retransmits, on a simulated loop with a sender
// that records what the probe asks of it: no raw sockets.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout{600};

class RecordingSender final : public SynSender {
 public:
  Handle send(const config::ProbeTarget& target, Client& client) override {
    client_ = &client;
    last_ = Handle{target.address, target.port, ++ids_};
    sends.push_back(last_.id);
    return last_;
  }
  void resend(const Handle& handle, const config::ProbeTarget&) override {
    resends.push_back(handle.id);
  }
  void cancel(const Handle& handle, AbortReason why) override {
    cancels.push_back(handle.id);
    reasons.push_back(why);
  }

  void answer(SynVerdict verdict) { client_->onSynVerdict(verdict, 0); }

  std::vector<uint64_t> sends;
  std::vector<uint64_t> resends;
  std::vector<uint64_t> cancels;
  std::vector<AbortReason> reasons;

 private:
  Client* client_ = nullptr;
  Handle last_;
  uint64_t ids_ = 0;
};

config::ProbeTarget target() {
  config::ProbeTarget t;
  t.address = *IpAddress::parse("fd44::2");
  t.port = 8080;
  return t;
}

class TcpSynProbeTest : public ::testing::Test {
 protected:
  void start() {
    probe_.start([this](ProbeResult r) { result_ = r; });
  }

  SimulatedLoop loop_;
  RecordingSender sender_;
  TcpSynProbe probe_{loop_, sender_, target(), kTimeout};
  std::optional<ProbeResult> result_;
};

TEST(TcpSynResendTest, CopiesGoOutAtThirdsOfTheTimeout) {
  EXPECT_EQ(synResendDelay(milliseconds(600)), milliseconds(200));
  // The last copy still has a third of the timeout to be answered.
  EXPECT_LE(synResendDelay(milliseconds(5000)) * (kSynCopies - 1), milliseconds(3334));
  EXPECT_EQ(synResendDelay(Duration::zero()), Duration::zero());
}

TEST_F(TcpSynProbeTest, AnUnansweredSynIsSentAgainTwiceWithinTheAttempt) {
  start();
  ASSERT_EQ(sender_.sends.size(), 1U);
  loop_.advance(milliseconds(199));
  EXPECT_TRUE(sender_.resends.empty());
  loop_.advance(milliseconds(1));
  EXPECT_EQ(sender_.resends, std::vector<uint64_t>({1}));
  loop_.advance(milliseconds(200));
  EXPECT_EQ(sender_.resends, std::vector<uint64_t>({1, 1}));
  // Three copies in all, however long the checker waits.
  loop_.advance(milliseconds(2000));
  EXPECT_EQ(sender_.resends.size(), 2U);
  EXPECT_FALSE(result_.has_value());
}

TEST_F(TcpSynProbeTest, AnAnswerToALaterCopyIsUpAndStopsTheRetransmits) {
  start();
  loop_.advance(milliseconds(250));  // the first SYN was lost; one resend out
  sender_.answer(SynVerdict::Open);
  ASSERT_TRUE(result_.has_value());
  EXPECT_EQ(result_->outcome, Outcome::Up);
  loop_.advance(milliseconds(1000));
  EXPECT_EQ(sender_.resends.size(), 1U);
  EXPECT_TRUE(sender_.cancels.empty());
}

TEST_F(TcpSynProbeTest, AbortCancelsTheProbeAndItsRetransmits) {
  start();
  loop_.advance(milliseconds(100));
  probe_.abort(AbortReason::Stopped);  // reload, ha_suspend: not a timeout
  EXPECT_EQ(sender_.cancels, std::vector<uint64_t>({1}));
  EXPECT_EQ(sender_.reasons, std::vector<AbortReason>({AbortReason::Stopped}));
  loop_.advance(milliseconds(1000));
  EXPECT_TRUE(sender_.resends.empty());
}

// The reason is the checker's, whatever the time: a timeout judged after
// the checker's late-timeout grace is one, a stop past connect_timeout is not.
TEST_F(TcpSynProbeTest, TheCheckersReasonDecidesWhetherAnAbortIsATimeout) {
  start();
  loop_.advance(kTimeout * 2);
  probe_.abort(AbortReason::Timeout);
  start();
  loop_.advance(kTimeout + milliseconds(1));
  probe_.abort(AbortReason::Stopped);
  EXPECT_EQ(sender_.reasons,
            std::vector<AbortReason>({AbortReason::Timeout, AbortReason::Stopped}));
}

TEST_F(TcpSynProbeTest, EachAttemptStartsItsOwnScheduleOfCopies) {
  start();
  loop_.advance(milliseconds(450));
  probe_.abort(AbortReason::Timeout);
  start();
  loop_.advance(milliseconds(199));
  EXPECT_EQ(sender_.resends, std::vector<uint64_t>({1, 1}));
  loop_.advance(milliseconds(201));
  EXPECT_EQ(sender_.resends, std::vector<uint64_t>({1, 1, 2, 2}));
}

TEST_F(TcpSynProbeTest, ARefusalOrASendFailureEndsTheAttempt) {
  start();
  sender_.answer(SynVerdict::Refused);
  ASSERT_TRUE(result_.has_value());
  EXPECT_EQ(result_->outcome, Outcome::Refused);
  result_.reset();
  start();
  sender_.answer(SynVerdict::Unrelated);
  ASSERT_TRUE(result_.has_value());
  EXPECT_EQ(result_->outcome, Outcome::NetworkError);
  loop_.advance(milliseconds(1000));
  EXPECT_TRUE(sender_.resends.empty());
}

// Without open raw sockets (no CAP_NET_RAW needed) the prober still
// accounts: a probe it cannot send is a send error, and giving up on one
// it never answered is a timeout when its attempt timed out, not when its
// checker stopped.
TEST(TcpSynProberCountersTest, CountsSendErrorsAndUnansweredProbes) {
  SimulatedLoop loop;
  TcpSynProber prober(loop);
  struct Verdicts final : SynSender::Client {
    void onSynVerdict(SynVerdict, int error) override { errors.push_back(error); }
    std::vector<int> errors;
  } client;
  SynSender::Handle failed = prober.send(target(), client);
  loop.runPosted();
  EXPECT_EQ(client.errors, std::vector<int>({EAFNOSUPPORT}));
  prober.cancel(failed, AbortReason::Timeout);  // already reported: not a timeout
  SynSender::Handle second = prober.send(target(), client);
  SynSender::Handle stopped = prober.send(target(), client);
  prober.resend(second, target());  // not open: nothing to resend on
  prober.cancel(second, AbortReason::Timeout);
  prober.cancel(stopped, AbortReason::Stopped);  // a checker stopped: not counted
  loop.runPosted();
  const TcpSynProber::Counters& c = prober.counters();
  EXPECT_EQ(c.sendErrors, 3U);
  EXPECT_EQ(c.timeouts, 1U);
  EXPECT_EQ(c.synsSent, 0U);
  EXPECT_EQ(c.retransmits, 0U);
  EXPECT_EQ(client.errors.size(), 1U);  // the cancelled one is never reported
}

}  // namespace
}  // namespace vigil::check
