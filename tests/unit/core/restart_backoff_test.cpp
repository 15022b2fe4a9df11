#include "core/restart_backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RestartBackoff, DoublesFromInitialUpToTheCap) {
  RestartBackoff backoff;  // 100 ms doubling to 10 s
  std::vector<Duration> delays;
  for (int i = 0; i < 10; ++i) {
    delays.push_back(backoff.onExit(milliseconds(50)));
  }
  std::vector<Duration> expected{milliseconds(100),  milliseconds(200),  milliseconds(400),
                                 milliseconds(800),  milliseconds(1600), milliseconds(3200),
                                 milliseconds(6400), seconds(10),        seconds(10),
                                 seconds(10)};
  EXPECT_EQ(delays, expected);
}

TEST(RestartBackoff, StableRunResetsTheDelay) {
  RestartBackoff backoff(BackoffPolicy{milliseconds(100), seconds(10), seconds(30)});
  backoff.onExit(seconds(1));
  backoff.onExit(seconds(1));
  EXPECT_EQ(backoff.onExit(seconds(1)), milliseconds(400));
  EXPECT_EQ(backoff.onExit(seconds(30)), milliseconds(100));
  EXPECT_EQ(backoff.onExit(seconds(29)), milliseconds(200));
}

TEST(RestartBackoff, ManyCrashesNeverOverflow) {
  RestartBackoff backoff(BackoffPolicy{milliseconds(1), seconds(10), seconds(30)});
  Duration last{};
  for (int i = 0; i < 200; ++i) {
    last = backoff.onExit(Duration{0});
  }
  EXPECT_EQ(last, seconds(10));
}

}  // namespace
}  // namespace vigil
