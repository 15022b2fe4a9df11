#include "vrrp/vip_refresh_schedule.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

// The schedule's rules alone; InstanceRuntime driving it on a loop is
// tested in tests/component/vrrp/vip_refresh_runtime_test.cpp.
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

}  // namespace
}  // namespace vigil::vrrp
