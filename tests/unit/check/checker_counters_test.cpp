#include <gtest/gtest.h>

#include <cstdint>

#include "check/checker.h"
#include "check/compact_counts.h"

namespace vigil::check {
namespace {

using std::chrono::milliseconds;

// Four bytes a count until one carries, and exact past 2^32 after that.
TEST(CheckerCountersTest, CompactCountsStayExactPastThirtyTwoBits) {
  CompactCounts<3> counts;
  counts.add(1, UINT32_MAX);
  EXPECT_EQ(counts[1], UINT32_MAX);
  counts.increment(1);
  EXPECT_EQ(counts[1], uint64_t{1} << 32);
  counts.add(2, (uint64_t{5} << 32) + 7);
  counts.add(2, UINT32_MAX);
  EXPECT_EQ(counts[2], (uint64_t{6} << 32) + 6);
  EXPECT_EQ(counts[0], 0U);
  const CompactCounts<3> copy = counts;
  counts.increment(1);
  EXPECT_EQ(copy[1], uint64_t{1} << 32);
  EXPECT_EQ(counts[1], (uint64_t{1} << 32) + 1);
}

TEST(CheckerCountersTest, CountsOutcomesTransitionsAndDurations) {
  CheckerCounters c;
  c.countAttempt();
  c.countAttempt();
  c.countFinished(Outcome::Up, milliseconds(2));
  c.countFinished(Outcome::Timeout, milliseconds(20000));
  c.countDownTransition();
  c.countLateTimeout();
  EXPECT_EQ(c.attempts(), 2U);
  EXPECT_EQ(c.total(), 2U);
  EXPECT_EQ(c.failures(), 1U);
  EXPECT_EQ(c.count(Outcome::Timeout), 1U);
  EXPECT_EQ(c.upTransitions(), 0U);
  EXPECT_EQ(c.downTransitions(), 1U);
  EXPECT_EQ(c.lateTimeouts(), 1U);
  EXPECT_EQ(c.durations().count(), 2U);  // the 20 s one above every bound
  EXPECT_EQ(c.durations().cumulative(DurationHistogram::kBoundsSeconds.size() - 1), 1U);
  EXPECT_LE(sizeof(CheckerCounters), 152U);
}

}  // namespace
}  // namespace vigil::check
