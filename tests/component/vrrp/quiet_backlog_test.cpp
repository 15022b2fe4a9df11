#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/advert_backlog.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

// A quiet Backup (issue 3): its master's routine adverts wait in an
// AdvertBacklog and are handled, at their arrival times, when
// Master_Down_Timer runs out or before another event; the takeover still
// comes Master_Down_Interval after the last advert.
namespace vigil::vrrp {
namespace {

using fakes::NullAcceptFilter;
using fakes::NullAnnouncer;
using fakes::NullNotifier;
using fakes::NullVips;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::instanceConfig;
using test::ip;
using test::peerAdvert;

// The quiet socket as the instance sees it: adverts queued with their
// arrival times, handed to the dispatcher in order by drain().
class FakeBacklog final : public AdvertBacklog {
 public:
  explicit FakeBacklog(AdvertDispatcher& dispatcher) : dispatcher_(dispatcher) {}
  void queue(std::vector<uint8_t> packet, TimePoint arrival) {
    queued_.emplace_back(std::move(packet), arrival);
  }
  void drain() override {
    ++drains;
    auto queued = std::move(queued_);
    queued_.clear();
    for (const auto& [packet, arrival] : queued) dispatcher_.receiveIpv4(packet, arrival);
  }
  void routineChanged() override { ++changes; }
  int drains = 0;
  int changes = 0;

 private:
  AdvertDispatcher& dispatcher_;
  std::vector<std::pair<std::vector<uint8_t>, TimePoint>> queued_;
};

// A sync group whose other member cannot take over: every takeover is
// held, and the group hears of each advert its member accepts.
struct HoldingGate final : TakeoverGate {
  bool mayTakeOver(const InstanceRuntime&) override {
    ++asked;
    return false;
  }
  void masterHeard(const InstanceRuntime&) override { ++heard; }
  int asked = 0;
  int heard = 0;
};

struct NullSender final : AdvertSender {
  void prepare(const VrrpPacket&) override {}
  Status send() override { return {}; }
};

class QuietBacklogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.add(&runtime_);
    runtime_.setAdvertBacklog(&backlog_);
    runtime_.start();
  }
  void TearDown() override {
    runtime_.stop();
    runtime_.setAdvertBacklog(nullptr);
    dispatcher_.remove(&runtime_);
  }

  SimulatedLoop loop_;
  NullSender sender_;
  NullVips vips_;
  NullAnnouncer gratuitous_;
  NullNotifier notifier_;
  NullAcceptFilter accept_;
  HoldingGate gate_;  // set by the tests of a sync group only
  AdvertDispatcher dispatcher_;
  FakeBacklog backlog_{dispatcher_};
  const config::VrrpInstance config_ = instanceConfig();
  InstanceRuntime runtime_{loop_, config_, paramsFor(config_, ip("10.0.0.1"), {}),
                           RuntimeIo{sender_, vips_, gratuitous_, notifier_, &accept_},
                           std::nullopt};
};

// Master_Down_Interval for priority 100 at 1 s: 3 s + (256 - 100) / 256 s.
constexpr auto kMasterDown = milliseconds(3609);

TEST_F(QuietBacklogTest, QueuedAdvertsKeepTheBackupAndTheTakeoverComesAfterTheLast) {
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());  // prompt: the first from this master
  ASSERT_TRUE(runtime_.routineAdvert().has_value());
  EXPECT_EQ(runtime_.routineAdvert()->source, ip("10.0.0.2"));
  EXPECT_EQ(runtime_.routineAdvert()->priority, 200);
  EXPECT_EQ(runtime_.routineAdvert()->advertInterval, 100);
  for (int i = 0; i < 6; ++i) {
    loop_.advance(seconds(1));
    backlog_.queue(peerAdvert(200), loop_.now());
  }
  // Handled in batches, not one by one: the first drain came at 3.609 s.
  EXPECT_EQ(runtime_.state().state, State::Backup);
  EXPECT_LT(runtime_.counters().advertsReceived, 7u);
  const TimePoint last = loop_.now();
  loop_.advance(kMasterDown - milliseconds(1));
  EXPECT_EQ(runtime_.state().state, State::Backup);
  EXPECT_EQ(runtime_.counters().advertsReceived, 7u);
  loop_.advance(milliseconds(2));
  EXPECT_EQ(runtime_.state().state, State::Master);
  EXPECT_LE(*runtime_.counters().lastTransition - last, kMasterDown + milliseconds(1));
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
}

TEST_F(QuietBacklogTest, ATrackingChangeHandlesTheQueuedAdvertsFirst) {
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());
  loop_.advance(seconds(1));
  backlog_.queue(peerAdvert(200), loop_.now());
  runtime_.track({PriorityChanged{250}});
  EXPECT_EQ(runtime_.counters().advertsReceived, 2u);
  // Above the master now: its adverts must reach the instance at once.
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
}

TEST_F(QuietBacklogTest, EqualPrioritiesAndPriorityZeroStayPrompt) {
  dispatcher_.receiveIpv4(peerAdvert(100), loop_.now());
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());
  EXPECT_TRUE(runtime_.routineAdvert().has_value());
  const int changes = backlog_.changes;
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());
  EXPECT_EQ(backlog_.changes, changes);  // same master, same rule: no filter update
  // Priority 0 is never routine: it arrives prompt and the master is
  // gone after Skew_Time ((256 - 100) / 256 s), not Master_Down_Interval.
  dispatcher_.receiveIpv4(peerAdvert(0), loop_.now());
  loop_.advance(milliseconds(610));
  EXPECT_EQ(runtime_.state().state, State::Master);
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
}

TEST_F(QuietBacklogTest, ASyncGroupHoldingATakeoverKeepsTheMastersAdvertsPrompt) {
  runtime_.setTakeoverGate(&gate_);
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());
  ASSERT_TRUE(runtime_.routineAdvert().has_value());
  EXPECT_EQ(gate_.heard, 1);
  // The master falls silent; the group refuses the takeover.
  loop_.advance(kMasterDown + milliseconds(1));
  EXPECT_EQ(gate_.asked, 1);
  EXPECT_EQ(runtime_.counters().takeoversHeld, 1u);
  EXPECT_EQ(runtime_.state().state, State::Backup);
  // Held: the next advert must reach the instance when it arrives, since it
  // tells the group this member hears its master again. So no rule routes
  // it to the quiet socket.
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
  // The held timer runs out again: the group is asked again, still held.
  loop_.advance(kMasterDown + milliseconds(1));
  EXPECT_EQ(gate_.asked, 2);
  EXPECT_FALSE(runtime_.routineAdvert().has_value());
  // The master is back: its advert (prompt, handled at once) reaches the
  // group, and from then on its routine adverts may queue again.
  dispatcher_.receiveIpv4(peerAdvert(200), loop_.now());
  EXPECT_EQ(gate_.heard, 2);
  EXPECT_TRUE(runtime_.routineAdvert().has_value());
  runtime_.setTakeoverGate(nullptr);
}

}  // namespace
}  // namespace vigil::vrrp
