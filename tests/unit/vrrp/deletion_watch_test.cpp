// Which rtnetlink groups the VRRP worker listens to for deletions: the
// union of what the owners of routing entries want at the moment, each
// change told to the monitor once, a failed join retried.
#include "vrrp/deletion_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include "fakes/fake_deletion_monitor.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Counts the monitor's watch() calls.
class CountingMonitor final : public netlink::DeletionMonitor {
 public:
  void setListener(Listener) override {}
  void setLossListener(LossListener) override {}
  Status watch(const netlink::NotificationGroups& groups) override {
    ++calls;
    return fake.watch(groups);
  }
  uint64_t overflows() const override { return 0; }

  fakes::FakeDeletionMonitor fake;
  int calls = 0;
};

TEST(DeletionWatchTest, TheMonitorListensToTheUnionOfWhatTheOwnersWantNow) {
  CountingMonitor monitor;
  DeletionWatch watch(&monitor);
  const int staticOwner = 0;
  const int master = 0;
  watch.want(&staticOwner, {RTNLGRP_IPV4_ROUTE});
  watch.want(&master, {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_RULE});
  EXPECT_THAT(monitor.fake.watched, ElementsAre(RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_RULE));
  watch.want(&master, {});  // the MASTER went BACKUP: the static owner's remain
  EXPECT_THAT(monitor.fake.watched, ElementsAre(RTNLGRP_IPV4_ROUTE));
  watch.want(&staticOwner, {});
  EXPECT_THAT(monitor.fake.watched, IsEmpty());
  EXPECT_EQ(monitor.calls, 4);
}

TEST(DeletionWatchTest, AnUnchangedUnionIsNotToldAgain) {
  CountingMonitor monitor;
  DeletionWatch watch(&monitor);
  const int first = 0;
  const int second = 0;
  watch.want(&first, {});  // a BACKUP at start-up: nothing joined, nothing to tell
  EXPECT_EQ(monitor.calls, 0);
  watch.want(&first, {RTNLGRP_IPV4_ROUTE});
  watch.want(&second, {RTNLGRP_IPV4_ROUTE});
  watch.want(&second, {});
  EXPECT_EQ(monitor.calls, 1);
}

TEST(DeletionWatchTest, AFailedJoinIsCountedAndRetried) {
  CountingMonitor monitor;
  monitor.fake.failJoins = true;
  DeletionWatch watch(&monitor);
  const int owner = 0;
  watch.want(&owner, {RTNLGRP_IPV6_ROUTE});
  EXPECT_EQ(watch.failures(), 1u);
  EXPECT_THAT(watch.wanted(), ElementsAre(RTNLGRP_IPV6_ROUTE));
  watch.retry();
  EXPECT_EQ(watch.failures(), 2u);
  monitor.fake.failJoins = false;
  watch.retry();
  EXPECT_THAT(monitor.fake.watched, ElementsAre(RTNLGRP_IPV6_ROUTE));
  watch.retry();  // joined: nothing to do
  EXPECT_EQ(monitor.calls, 3);
  EXPECT_EQ(watch.failures(), 2u);
}

}  // namespace
}  // namespace vigil::vrrp
