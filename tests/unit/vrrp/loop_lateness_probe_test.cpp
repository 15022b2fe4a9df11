#include "vrrp/loop_lateness_probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/simulated_loop.h"

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LoopLatenessProbeTest, OnTimeLoopFillsTheLowestBucketOncePerPeriod) {
  SimulatedLoop loop;
  LoopLatenessProbe probe(loop);
  loop.advance(seconds(1));
  EXPECT_EQ(probe.count(), 4u);  // every 250 ms
  EXPECT_EQ(probe.sumSeconds(), 0);
  EXPECT_EQ(probe.cumulative()[0], 4u);
}

TEST(LoopLatenessProbeTest, BucketsAreCumulativeAndInclusiveOfTheirBound) {
  SimulatedLoop loop;
  LoopLatenessProbe probe(loop);
  probe.observe(microseconds(500));  // le 0.001
  probe.observe(milliseconds(5));    // exactly 0.005
  probe.observe(milliseconds(70));   // le 0.1
  probe.observe(seconds(3));         // only +Inf
  probe.observe(-milliseconds(1));   // early counts as on time
  const std::array<uint64_t, 7> expected = {2, 3, 3, 3, 4, 4, 4};
  EXPECT_EQ(probe.cumulative(), expected);
  EXPECT_EQ(probe.count(), 5u);
  EXPECT_DOUBLE_EQ(probe.sumSeconds(), 0.0005 + 0.005 + 0.07 + 3);
}

// observe() buckets by comparing Durations; the rule it replaces (and the
// `le` labels Prometheus shows) is the lateness in seconds as a double,
// at or below kBounds[i]. Both agree at every bound, a nanosecond either
// side of it, and at values spread over the whole range.
TEST(LoopLatenessProbeTest, BucketsByDurationAsTheSecondsWould) {
  for (size_t i = 0; i < LoopLatenessProbe::kBounds.size(); ++i) {
    EXPECT_EQ(std::chrono::duration<double>(LoopLatenessProbe::kBoundDurations[i]).count(),
              LoopLatenessProbe::kBounds[i]);
  }
  std::vector<Duration> samples = {Duration::zero(), Duration(1), -Duration(1)};
  for (Duration bound : LoopLatenessProbe::kBoundDurations) {
    for (Duration near : {bound - Duration(1), bound, bound + Duration(1)}) samples.push_back(near);
  }
  for (int64_t ns = 1; ns < 4'000'000'000; ns = ns * 3 + 7) samples.push_back(Duration(ns));
  SimulatedLoop loop;
  for (Duration sample : samples) {
    LoopLatenessProbe probe(loop);
    probe.observe(sample);
    const double seconds =
        std::chrono::duration<double>(std::max(sample, Duration::zero())).count();
    for (size_t i = 0; i < LoopLatenessProbe::kBounds.size(); ++i) {
      EXPECT_EQ(probe.cumulative()[i], seconds <= LoopLatenessProbe::kBounds[i] ? 1u : 0u)
          << sample.count() << " ns, bound " << LoopLatenessProbe::kBounds[i];
    }
    EXPECT_EQ(probe.sumSeconds(), seconds);
  }
}

TEST(LoopLatenessProbeTest, FedByTheLoopItCountsEveryReportedTimerAndWakesRarely) {
  SimulatedLoop loop;
  LoopLatenessProbe probe(loop);
  auto feed = probe.feedFromLoop();
  loop.advance(seconds(4));
  EXPECT_EQ(probe.count(), 0u);                             // no 250 ms samples of its own any more
  EXPECT_EQ(loop.nextDeadline(), loop.now() + seconds(1));  // kFedPeriod after the switch

  feed(milliseconds(2));   // an advert timer, 2 ms late
  feed(milliseconds(60));  // a snapshot, late behind a slow callback
  EXPECT_EQ(probe.count(), 2u);
  EXPECT_DOUBLE_EQ(probe.sumSeconds(), 0.062);
  const std::array<uint64_t, 7> expected = {0, 1, 1, 1, 2, 2, 2};
  EXPECT_EQ(probe.cumulative(), expected);

  // Its own timer fires (the loop would report that firing through feed);
  // it adds nothing itself, and re-arms kFedPeriod on.
  loop.advance(seconds(1));
  EXPECT_EQ(probe.count(), 2u);
  EXPECT_EQ(loop.nextDeadline(), loop.now() + LoopLatenessProbe::kFedPeriod);
}

}  // namespace
}  // namespace vigil::vrrp
