#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/log.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimitedLog, AdmitsABurstPerIntervalAndCountsTheRest) {
  ManualClock clock;
  clock.advance(seconds(100));
  RateLimitedLog limited(3, seconds(1));
  auto at = [&] { return clock.now().time_since_epoch(); };
  int admitted = 0;
  for (int i = 0; i < 10; ++i) {
    admitted += limited.admit(at()) ? 1 : 0;
    clock.advance(milliseconds(10));
  }
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(limited.suppressed(), 7u);

  clock.advance(seconds(1));  // a new window
  EXPECT_TRUE(limited.admit(at()));
  EXPECT_TRUE(limited.admit(at()));
  EXPECT_TRUE(limited.admit(at()));
  EXPECT_FALSE(limited.admit(at()));
}

TEST(RateLimitedLog, WindowStartsAtTheFirstLine) {
  ManualClock clock;
  RateLimitedLog limited(1, seconds(1));
  auto at = [&] { return clock.now().time_since_epoch(); };
  EXPECT_TRUE(limited.admit(at()));  // time zero is a valid first moment
  clock.advance(milliseconds(999));
  EXPECT_FALSE(limited.admit(at()));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(limited.admit(at()));
}

TEST(RateLimitedLog, LoggedLineResetsTheSuppressedCount) {
  ManualClock clock;
  RateLimitedLog limited(1, seconds(1));
  auto at = [&] { return clock.now().time_since_epoch(); };
  limited.log(at(), LogLevel::Error, "bad packet {}", 1);
  limited.log(at(), LogLevel::Error, "bad packet {}", 2);
  EXPECT_EQ(limited.suppressed(), 1u);
  clock.advance(seconds(1));
  limited.log(at(), LogLevel::Error, "bad packet {}", 3);
  EXPECT_EQ(limited.suppressed(), 0u);
}

}  // namespace
}  // namespace vigil
