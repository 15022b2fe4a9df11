#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "check/checker.h"
#include "check/tcp_syn_probe.h"
#include "check/tcp_syn_prober.h"
#include "core/simulated_loop.h"

// The checker tells its probe why it gives up on an attempt, and a SYN
// check's timeout count follows that reason, not the time the attempt took:
// a timeout judged after the checker's late-timeout grace is one, a stop
// (reload, ha_suspend) after connect_timeout has passed is not.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kConnectTimeout{600};

// Never answers; counts what the prober would count as timeouts.
class SilentSender final : public SynSender {
 public:
  Handle send(const config::ProbeTarget& target, Client&) override {
    return Handle{target.address, target.port, ++ids_};
  }
  void resend(const Handle&, const config::ProbeTarget&) override {}
  void cancel(const Handle&, AbortReason why) override {
    reasons.push_back(why);
    if (why == AbortReason::Timeout) ++timeouts;
  }

  std::vector<AbortReason> reasons;
  int timeouts = 0;

 private:
  uint64_t ids_ = 0;
};

class CheckerAbortReasonTest : public ::testing::Test {
 protected:
  CheckerAbortReasonTest() {
    config::CheckerBase base;
    base.type = config::CheckerType::Tcp;
    base.delayLoop = milliseconds(1000);
    base.connectTimeout = kConnectTimeout;
    base.warmup = Duration::zero();
    config::ProbeTarget target;
    target.address = *IpAddress::parse("192.0.2.10");
    target.port = 80;
    checker_ = std::make_unique<Checker>(
        loop_, base, kConnectTimeout,
        std::make_unique<TcpSynProbe>(loop_, sender_, target, kConnectTimeout),
        [](Duration) { return Duration::zero(); }, "TCP_CHECK");
    checker_->start();
    loop_.advance(Duration::zero());  // the first attempt: a SYN in flight
  }

  // The loop was busy past the attempt's timeout: the timeout fires late
  // and the checker extends the attempt (its late-timeout grace).
  void stallPastTheTimeout() {
    loop_.stall(kConnectTimeout + milliseconds(200));
    loop_.advance(Duration::zero());
    ASSERT_EQ(checker_->counters().lateTimeouts(), 1U);
    ASSERT_TRUE(sender_.reasons.empty()) << "still in its grace";
  }

  SimulatedLoop loop_;
  SilentSender sender_;
  std::unique_ptr<Checker> checker_;
};

TEST_F(CheckerAbortReasonTest, ATimeoutJudgedAfterTheGraceCountsAsATimeout) {
  stallPastTheTimeout();
  loop_.advance(milliseconds(200));  // the grace runs out, still unanswered
  EXPECT_EQ(sender_.reasons, std::vector<AbortReason>({AbortReason::Timeout}));
  EXPECT_EQ(sender_.timeouts, 1);
  EXPECT_EQ(checker_->counters().count(Outcome::Timeout), 1U);
}

TEST_F(CheckerAbortReasonTest, AStopAfterConnectTimeoutPassedIsNotATimeout) {
  stallPastTheTimeout();
  checker_->stop();  // a reload or ha_suspend, during the grace
  EXPECT_EQ(sender_.reasons, std::vector<AbortReason>({AbortReason::Stopped}));
  EXPECT_EQ(sender_.timeouts, 0);
  EXPECT_EQ(checker_->counters().count(Outcome::Timeout), 0U);
}

TEST_F(CheckerAbortReasonTest, AnOnTimeTimeoutIsATimeoutAndAStopBeforeItIsNot) {
  loop_.advance(kConnectTimeout);
  EXPECT_EQ(sender_.reasons, std::vector<AbortReason>({AbortReason::Timeout}));
  loop_.advance(milliseconds(1000) - kConnectTimeout);  // the next attempt, on its slot
  loop_.advance(milliseconds(100));
  checker_->stop();
  EXPECT_EQ(sender_.reasons,
            std::vector<AbortReason>({AbortReason::Timeout, AbortReason::Stopped}));
  EXPECT_EQ(sender_.timeouts, 1);
}

}  // namespace
}  // namespace vigil::check
