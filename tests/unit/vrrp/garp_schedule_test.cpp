#include "vrrp/garp_schedule.h"

#include <gtest/gtest.h>

namespace vigil::vrrp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 1000s;

config::GarpSettings keepalivedDefaults() {
  config::GarpSettings s;
  s.masterDelay = 5s;
  s.masterRepeat = 5;
  s.lowerPrioDelay = 5s;
  s.lowerPrioRepeat = 5;
  s.masterRefreshRepeat = 1;
  return s;
}

TEST(GarpSchedule, DefaultsSendTwoBurstsOfFiveThenStop) {
  GarpSchedule schedule(keepalivedDefaults(), 0s);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.nextDue(), kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 5u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 5s);
  EXPECT_EQ(schedule.takeDue(kT0 + 4999ms), 0u);
  EXPECT_EQ(schedule.takeDue(kT0 + 5s), 5u);
  EXPECT_EQ(schedule.nextDue(), std::nullopt);
}

TEST(GarpSchedule, IntervalSpacesRoundsOfABurst) {
  GarpSchedule schedule(keepalivedDefaults(), 10ms);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 1u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 10ms);
  EXPECT_EQ(schedule.takeDue(kT0 + 25ms), 2u);  // late timer: both overdue rounds
  EXPECT_EQ(schedule.nextDue(), kT0 + 30ms);
  EXPECT_EQ(schedule.takeDue(kT0 + 40ms), 2u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 5s);
}

TEST(GarpSchedule, NoDelayMeansASingleBurst) {
  auto settings = keepalivedDefaults();
  settings.masterDelay = 0s;
  GarpSchedule schedule(settings, 0s);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 5u);
  EXPECT_EQ(schedule.nextDue(), std::nullopt);
}

TEST(GarpSchedule, RefreshRepeatsWhileMaster) {
  auto settings = keepalivedDefaults();
  settings.masterDelay = 0s;
  settings.masterRepeat = 1;
  settings.masterRefresh = 60s;
  settings.masterRefreshRepeat = 2;
  GarpSchedule schedule(settings, 0s);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 1u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 60s);
  EXPECT_EQ(schedule.takeDue(kT0 + 60s), 2u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 120s);
  EXPECT_EQ(schedule.takeDue(kT0 + 120s), 2u);
}

TEST(GarpSchedule, LowerPriorityAdvertQueuesItsBurst) {
  auto settings = keepalivedDefaults();
  settings.lowerPrioDelay = 2s;
  settings.lowerPrioRepeat = 3;
  GarpSchedule schedule(settings, 0s);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 5u);
  schedule.lowerPriorityAdvert(kT0 + 1s);
  EXPECT_EQ(schedule.takeDue(kT0 + 1s), 3u);  // at once ...
  EXPECT_EQ(schedule.nextDue(), kT0 + 3s);
  EXPECT_EQ(schedule.takeDue(kT0 + 3s), 3u);  // ... and again after the delay
  EXPECT_EQ(schedule.takeDue(kT0 + 5s), 5u);  // the master's second burst
  EXPECT_EQ(schedule.nextDue(), std::nullopt);
}

TEST(GarpSchedule, ReconfigureKeepsQueuedBurstsAndReplansTheRefresh) {
  auto settings = keepalivedDefaults();
  GarpSchedule schedule(settings, 0s);
  schedule.becomeMaster(kT0);
  EXPECT_EQ(schedule.takeDue(kT0), 5u);
  settings.masterRefresh = 30s;
  schedule.reconfigure(settings, 0s, kT0 + 1s);
  EXPECT_EQ(schedule.nextDue(), kT0 + 5s);
  EXPECT_EQ(schedule.takeDue(kT0 + 5s), 5u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 31s);
  EXPECT_EQ(schedule.takeDue(kT0 + 31s), 1u);
}

TEST(GarpSchedule, ReconfigureOfABackupPlansNoRefresh) {
  auto settings = keepalivedDefaults();
  settings.masterRefresh = 30s;
  GarpSchedule schedule(settings, 0s);
  schedule.reconfigure(settings, 0s, kT0);
  EXPECT_EQ(schedule.nextDue(), std::nullopt);
}

TEST(GarpSchedule, StopAndRestartStartsAfresh) {
  auto settings = keepalivedDefaults();
  settings.masterRefresh = 10s;
  GarpSchedule schedule(settings, 0s);
  schedule.becomeMaster(kT0);
  schedule.stop();
  EXPECT_EQ(schedule.nextDue(), std::nullopt);
  EXPECT_EQ(schedule.takeDue(kT0 + 100s), 0u);
  schedule.becomeMaster(kT0 + 200s);
  EXPECT_EQ(schedule.takeDue(kT0 + 200s), 5u);
  EXPECT_EQ(schedule.nextDue(), kT0 + 205s);
}

}  // namespace
}  // namespace vigil::vrrp
