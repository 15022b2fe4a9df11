#include "vrrp/arrival_dating.h"

#include <gtest/gtest.h>

namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// The loop clock starts at 100 s, the system clock at 1'000'000 s: an
// advert stamped `real` arrived at loop time `real - kOffset` while the
// system clock is not stepped.
constexpr nanoseconds kOffset = seconds(1'000'000) - seconds(100);
TimePoint at(milliseconds t) { return TimePoint(seconds(100) + t); }
nanoseconds real(milliseconds t, nanoseconds step = {}) { return seconds(1'000'000) + t + step; }

TEST(ArrivalDatingTest, WithoutAStepEachAdvertIsDatedAtItsArrival) {
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180)));
  EXPECT_TRUE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(50))), at(milliseconds(50)));
  EXPECT_EQ(dating.date(real(milliseconds(100))), at(milliseconds(100)));
  EXPECT_EQ(dating.date(real(milliseconds(150))), at(milliseconds(150)));
  EXPECT_EQ(real(milliseconds(0)) - at(milliseconds(0)).time_since_epoch(), kOffset);
}

TEST(ArrivalDatingTest, AForwardStepDatesTheDrainAtNotBeforeTheDrain) {
  // ntpd steps the system clock 200 ms forward between the adverts and the
  // drain: from their stamps they would look 200 ms older than they are.
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180), milliseconds(200)));
  EXPECT_FALSE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(150))), at(milliseconds(180)));
  // The next drain, with no further step, trusts the stamps again.
  dating.beginDrain(at(milliseconds(360)), real(milliseconds(360), milliseconds(200)));
  EXPECT_TRUE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(300), milliseconds(200))), at(milliseconds(300)));
}

TEST(ArrivalDatingTest, ABackwardStepDatesTheDrainAtNow) {
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180), -milliseconds(500)));
  EXPECT_FALSE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(150))), at(milliseconds(180)));
}

TEST(ArrivalDatingTest, DriftWithinTheSlackIsNotAStep) {
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  // 10 s at 500 ppm plus 2 ms: 7 ms of slew is still the same clock.
  dating.beginDrain(at(seconds(10)), real(seconds(10), milliseconds(7)));
  EXPECT_TRUE(dating.trusted());
  dating.beginDrain(at(seconds(20)), real(seconds(20), milliseconds(15)));
  EXPECT_FALSE(dating.trusted());
}

TEST(ArrivalDatingTest, TheFirstDrainWithoutAReadingDatesAtNow) {
  ArrivalDating dating;
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180)));
  EXPECT_FALSE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(150))), at(milliseconds(180)));
}

TEST(ArrivalDatingTest, TheFirstDrainAfterARestartIsFlooredAtTheRestart) {
  // The filter was installed at 1 s; a stamp from before it (it cannot be
  // real, but a slewed clock may say so) is dated no earlier.
  ArrivalDating dating;
  dating.beginDrain(at(milliseconds(0)), real(milliseconds(0)));
  dating.restart(at(seconds(1)), real(seconds(1)));
  dating.beginDrain(at(milliseconds(1180)), real(milliseconds(1180)));
  EXPECT_TRUE(dating.trusted());
  EXPECT_EQ(dating.date(real(milliseconds(900))), at(seconds(1)));
  EXPECT_EQ(dating.date(real(milliseconds(1100))), at(milliseconds(1100)));
}

TEST(ArrivalDatingTest, AnOverflowDatesTheRestOfTheDrainAtNow) {
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180)));
  EXPECT_EQ(dating.date(real(milliseconds(50))), at(milliseconds(50)));
  dating.distrust();
  EXPECT_EQ(dating.date(real(milliseconds(100))), at(milliseconds(180)));
  // The next drain trusts the stamps unless it sees drops too.
  dating.beginDrain(at(milliseconds(360)), real(milliseconds(360)));
  EXPECT_TRUE(dating.trusted());
}

TEST(ArrivalDatingTest, AdvertsAreNeverDatedOutOfOrderOrInTheFuture) {
  ArrivalDating dating;
  dating.restart(at(milliseconds(0)), real(milliseconds(0)));
  dating.beginDrain(at(milliseconds(180)), real(milliseconds(180)));
  EXPECT_EQ(dating.date(real(milliseconds(120))), at(milliseconds(120)));
  EXPECT_EQ(dating.date(real(milliseconds(110))), at(milliseconds(120)));
  EXPECT_EQ(dating.date(real(milliseconds(190))), at(milliseconds(180)));
  EXPECT_EQ(dating.date(std::nullopt), at(milliseconds(180)));
}

}  // namespace
}  // namespace vigil::vrrp
