#include "vrrp/vip_refresh_schedule.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"

namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLifetime = seconds(2);
const TimePoint kT0{seconds(100)};

TEST(VipRefreshScheduleTest, ShortAdvertIntervalRidesAdvertsEveryThirdOfTheLifetime) {
  VipRefreshSchedule schedule(kLifetime, milliseconds(50));
  EXPECT_TRUE(schedule.ridesAdverts());
  schedule.renewed(kT0);
  EXPECT_EQ(schedule.timerDeadline(), std::nullopt);
  EXPECT_FALSE(schedule.dueInTurn(kT0 + milliseconds(650)));
  EXPECT_TRUE(schedule.dueInTurn(kT0 + milliseconds(667)));
}

TEST(VipRefreshScheduleTest, AdvertIntervalOfHalfTheLifetimeRenewsAtEveryAdvert) {
  VipRefreshSchedule schedule(kLifetime, seconds(1));
  EXPECT_TRUE(schedule.ridesAdverts());
  schedule.renewed(kT0);
  EXPECT_FALSE(schedule.dueInTurn(kT0)) << "never twice in one turn";
  EXPECT_TRUE(schedule.dueInTurn(kT0 + seconds(1)));
}

TEST(VipRefreshScheduleTest, LongerAdvertIntervalKeepsATimerEveryThirdOfTheLifetime) {
  VipRefreshSchedule schedule(kLifetime, seconds(1) + milliseconds(10));
  EXPECT_FALSE(schedule.ridesAdverts());
  EXPECT_EQ(schedule.timerDeadline(), std::nullopt) << "nothing installed yet";
  schedule.renewed(kT0);
  EXPECT_FALSE(schedule.dueInTurn(kT0 + seconds(5)));
  ASSERT_TRUE(schedule.timerDeadline().has_value());
  EXPECT_EQ(*schedule.timerDeadline() - kT0, kLifetime / 3);
}

TEST(VipRefreshScheduleTest, PermanentVipsAreNeverRenewed) {
  VipRefreshSchedule schedule(std::nullopt, milliseconds(50));
  schedule.renewed(kT0);
  EXPECT_FALSE(schedule.dueInTurn(kT0 + seconds(60)));
  EXPECT_EQ(schedule.timerDeadline(), std::nullopt);
}

// An EventLoop that counts wake-ups: the distinct instants at which any
// timer fired (timers due at the same instant share one loop turn).
class WakeCountingLoop final : public EventLoop {
 public:
  TimePoint now() const override { return loop_.now(); }
  std::unique_ptr<Timer> createTimer(Callback cb) override {
    return loop_.createTimer([this, cb = std::move(cb)] {
      wakeups_.insert(loop_.now());
      cb();
    });
  }
  std::unique_ptr<FdWatch> watchFd(int fd, uint32_t events, FdCallback cb) override {
    return loop_.watchFd(fd, events, std::move(cb));
  }
  void post(Callback cb) override { loop_.post(std::move(cb)); }

  void advance(Duration d) { loop_.advance(d); }
  size_t wakeupsSince(TimePoint from) const {
    return static_cast<size_t>(std::distance(wakeups_.lower_bound(from), wakeups_.end()));
  }

 private:
  SimulatedLoop loop_;
  std::set<TimePoint> wakeups_;
};

class RecordingVips final : public VipInstaller {
 public:
  explicit RecordingVips(const EventLoop& loop) : loop_(loop) {}
  void add(const std::vector<config::VirtualAddress>&, const std::string&,
           std::optional<Duration> lifetime) override {
    renewals.push_back(loop_.now());
    lastLifetime = lifetime;
  }
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {}
  std::vector<TimePoint> renewals;
  std::optional<Duration> lastLifetime;

 private:
  const EventLoop& loop_;
};

struct IdleMaster {
  size_t wakeups = 0;
  size_t adverts = 0;
  Duration longestGap{};  // between renewals, and from the last one to the end
};

// One instance alone on its LAN, so it becomes MASTER, then 10 s idle.
IdleMaster runIdleMaster(Duration advertInterval) {
  WakeCountingLoop loop;
  fakes::NullSender sender;
  RecordingVips vips(loop);
  fakes::NullAnnouncer announcer;
  fakes::NullNotifier notifier;
  fakes::NullAcceptFilter accept;
  config::VrrpInstance config = test::instanceConfig();
  config.advertInterval = advertInterval;
  InstanceRuntime runtime(loop, config, paramsFor(config, test::ip("10.0.0.1")),
                          RuntimeIo{sender, vips, announcer, notifier, &accept}, kLifetime);
  runtime.start();
  loop.advance(seconds(20));  // Master_Down_Interval at most ~12 s (advert_int 3)
  EXPECT_EQ(runtime.state().state, State::Master);
  EXPECT_EQ(vips.lastLifetime, std::optional(kLifetime));

  const TimePoint from = loop.now();
  const size_t renewalsBefore = vips.renewals.size();
  const uint64_t advertsBefore = runtime.counters().advertsSent;
  loop.advance(seconds(10));

  IdleMaster result;
  result.wakeups = loop.wakeupsSince(from + Duration{1});
  result.adverts = runtime.counters().advertsSent - advertsBefore;
  EXPECT_GT(vips.renewals.size(), renewalsBefore);
  for (size_t i = 1; i < vips.renewals.size(); ++i) {
    result.longestGap = std::max(result.longestGap, vips.renewals[i] - vips.renewals[i - 1]);
  }
  result.longestGap = std::max(result.longestGap, loop.now() - vips.renewals.back());
  runtime.stop();
  return result;
}

TEST(VipRefreshRuntimeTest, AtAdvertInt50msRenewalsAddNoWakeups) {
  IdleMaster idle = runIdleMaster(milliseconds(50));
  EXPECT_EQ(idle.adverts, 200u);
  // Before: 215 (200 advert turns + 15 renewals on a timer of their own, every 667 ms).
  EXPECT_EQ(idle.wakeups, idle.adverts);
  EXPECT_LE(idle.longestGap, kLifetime / 3 + milliseconds(50));
}

TEST(VipRefreshRuntimeTest, AtAdvertInt1sRenewalsAddNoWakeups) {
  IdleMaster idle = runIdleMaster(seconds(1));
  EXPECT_EQ(idle.adverts, 10u);
  // Before: 25 (10 adverts + 15 renewals on a timer of their own).
  EXPECT_EQ(idle.wakeups, idle.adverts);
  EXPECT_LE(idle.longestGap, kLifetime / 2);
}

TEST(VipRefreshRuntimeTest, AtAdvertInt3sRenewalsKeepTheirOwnTimer) {
  IdleMaster idle = runIdleMaster(seconds(3));
  EXPECT_GE(idle.adverts, 3u);
  EXPECT_LE(idle.adverts, 4u);
  // The lifetime would lapse between adverts 3 s apart: 15 renewals of its own.
  EXPECT_GE(idle.wakeups, idle.adverts + 13);
  EXPECT_LE(idle.longestGap, kLifetime / 3 + Duration{1});
}

TEST(VipRefreshRuntimeTest, RenewalsStopWhenTheMasterStops) {
  WakeCountingLoop loop;
  fakes::NullSender sender;
  RecordingVips vips(loop);
  fakes::NullAnnouncer announcer;
  fakes::NullNotifier notifier;
  fakes::NullAcceptFilter accept;
  config::VrrpInstance config = test::instanceConfig();
  config.advertInterval = seconds(3);
  InstanceRuntime runtime(loop, config, paramsFor(config, test::ip("10.0.0.1")),
                          RuntimeIo{sender, vips, announcer, notifier, &accept}, kLifetime);
  runtime.start();
  loop.advance(seconds(20));
  ASSERT_EQ(runtime.state().state, State::Master);
  runtime.stop();
  const size_t renewals = vips.renewals.size();
  loop.advance(seconds(10));
  EXPECT_EQ(vips.renewals.size(), renewals);
}

}  // namespace
}  // namespace vigil::vrrp
