#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fakes/null_vrrp_effects.h"
#include "fakes/wake_counting_loop.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"

// InstanceRuntime renewing its VIPs' lifetime on a loop: the renewal rides
// the advert turn when adverts come often enough, so it adds no wake-ups,
// and keeps a timer of its own otherwise (VipRefreshSchedule, whose pure
// rules are unit-tested in tests/unit/vrrp/vip_refresh_schedule_test.cpp).
namespace vigil::vrrp {
namespace {

using fakes::WakeCountingLoop;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLifetime = seconds(2);

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

config::VrrpInstance configWith(Duration advertInterval) {
  config::VrrpInstance config = test::instanceConfig();
  config.advertInterval = advertInterval;
  return config;
}

// One instance alone on its LAN with VIPs of kLifetime, started and run
// until it is MASTER.
struct LoneMaster {
  explicit LoneMaster(Duration advertInterval)
      : config(configWith(advertInterval)),
        runtime(loop, config, paramsFor(config, test::ip("10.0.0.1")),
                RuntimeIo{sender, vips, announcer, notifier, &accept}, kLifetime) {
    runtime.start();
    loop.advance(seconds(20));  // Master_Down_Interval at most ~12 s (advert_int 3)
    EXPECT_EQ(runtime.state().state, State::Master);
  }

  WakeCountingLoop loop;
  fakes::NullSender sender;
  RecordingVips vips{loop};
  fakes::NullAnnouncer announcer;
  fakes::NullNotifier notifier;
  fakes::NullAcceptFilter accept;
  config::VrrpInstance config;
  InstanceRuntime runtime;
};

struct IdleMaster {
  size_t wakeups = 0;
  size_t adverts = 0;
  Duration longestGap{};  // between renewals, and from the last one to the end
};

// A LoneMaster left idle for 10 s.
IdleMaster runIdleMaster(Duration advertInterval) {
  LoneMaster master(advertInterval);
  EXPECT_EQ(master.vips.lastLifetime, std::optional(kLifetime));

  const TimePoint from = master.loop.now();
  const size_t renewalsBefore = master.vips.renewals.size();
  const uint64_t advertsBefore = master.runtime.counters().advertsSent;
  master.loop.advance(seconds(10));

  IdleMaster result;
  result.wakeups = master.loop.wakeupsSince(from + Duration{1});
  result.adverts = master.runtime.counters().advertsSent - advertsBefore;
  const std::vector<TimePoint>& renewals = master.vips.renewals;
  EXPECT_GT(renewals.size(), renewalsBefore);
  for (size_t i = 1; i < renewals.size(); ++i) {
    result.longestGap = std::max(result.longestGap, renewals[i] - renewals[i - 1]);
  }
  result.longestGap = std::max(result.longestGap, master.loop.now() - renewals.back());
  master.runtime.stop();
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
  LoneMaster master(seconds(3));
  master.runtime.stop();
  const size_t renewals = master.vips.renewals.size();
  master.loop.advance(seconds(10));
  EXPECT_EQ(master.vips.renewals.size(), renewals);
}

}  // namespace
}  // namespace vigil::vrrp
