#include "vrrp/timers.h"

#include <gtest/gtest.h>

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(VrrpTimersTest, V2SkewIsAFractionOfOneSecond) {
  // (256 - 100) / 256 s = 0.609375 s, whatever the advert interval.
  EXPECT_EQ(skewTime(2, 100, Centiseconds(100)), microseconds(609375));
  EXPECT_EQ(skewTime(2, 100, Centiseconds(500)), microseconds(609375));
  EXPECT_EQ(skewTime(2, 255, Centiseconds(100)), microseconds(3906));  // 1/256 s, truncated
  EXPECT_EQ(skewTime(2, 1, Centiseconds(100)), microseconds(996093));  // 255/256 s
}

TEST(VrrpTimersTest, V3SkewScalesWithMasterAdverInterval) {
  EXPECT_EQ(skewTime(3, 100, Centiseconds(100)), microseconds(609375));
  EXPECT_EQ(skewTime(3, 100, Centiseconds(50)), microseconds(304687));
  // advert_int 0.01: 156 * 10 ms / 256 = 6.09375 ms, kept to the microsecond.
  EXPECT_EQ(skewTime(3, 100, Centiseconds(1)), microseconds(6093));
  EXPECT_EQ(skewTime(3, 254, Centiseconds(100)), microseconds(7812));
}

TEST(VrrpTimersTest, MasterDownIntervalIsThreeIntervalsPlusSkew) {
  // The anchor measured from keepalived: 3609.4 ms at advert_int 1 ...
  EXPECT_EQ(masterDownInterval(2, 100, Centiseconds(100), 3), microseconds(3609375));
  EXPECT_EQ(masterDownInterval(3, 100, Centiseconds(100), 3), microseconds(3609375));
  // ... and 36.1 ms at advert_int 0.01 (v3).
  EXPECT_EQ(masterDownInterval(3, 100, Centiseconds(1), 3), microseconds(36093));
  EXPECT_EQ(masterDownInterval(3, 200, Centiseconds(25), 3), microseconds(750000 + 54687));
  // v2 with a 2 s interval: 6 s + 0.609375 s.
  EXPECT_EQ(masterDownInterval(2, 100, Centiseconds(200), 3), microseconds(6609375));
}

TEST(VrrpTimersTest, DownTimerAdvertsReplacesTheThree) {
  EXPECT_EQ(masterDownInterval(3, 100, Centiseconds(100), 1), microseconds(1609375));
  EXPECT_EQ(masterDownInterval(3, 100, Centiseconds(100), 10), microseconds(10609375));
  EXPECT_EQ(masterDownInterval(2, 150, Centiseconds(100), 5),
            milliseconds(5000) + microseconds(414062));
}

}  // namespace
}  // namespace vigil::vrrp
