// The VRRP worker after the kernel dropped its deletion notifications
// (ENOBUFS): it reads the kernel's tables again and adds back only the
// static entries they lack, one reading in flight however many losses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_deletion_monitor.h"
#include "fakes/fake_routing.h"
#include "fakes/fake_routing_dumper.h"
#include "vrrp/vrrp_worker.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kStatic = R"(
static_routes {
  10.9.0.0/16 via 192.0.2.1
}
static_rules {
  from 10.9.2.0/24 table 100 pref 500
}
)";

// What the kernel holds of kStatic's entries, as a dump reads it.
netlink::KernelRoute heldRoute() {
  netlink::KernelRoute route;
  route.destination = *IpPrefix::parse("10.9.0.0/16");
  route.protocol = netlink::kRouteProtocolKeepalived;
  route.nextHops = {{IpAddress::parse("192.0.2.1"), 2}};
  return route;
}

netlink::RuleSpec heldRule() {
  netlink::RuleSpec rule;
  rule.source = IpPrefix::parse("10.9.2.0/24");
  rule.table = 100;
  rule.priority = 500;
  rule.suppressPrefixLength = 0xFFFFFFFFu;
  return rule;
}

class WorkerStaticResyncTest : public ::testing::Test {
 protected:
  WorkerStaticResyncTest() {
    WorkerIo io = loggingWorkerIo();
    io.routes = std::make_unique<fakes::FakeRouteManager>(journal_);
    io.rules = std::make_unique<fakes::FakeRuleManager>(journal_);
    io.deletions = std::make_unique<fakes::FakeDeletionMonitor>();
    io.routingDumps = std::make_unique<fakes::FakeRoutingDumper>();
    monitor_ = static_cast<fakes::FakeDeletionMonitor*>(io.deletions.get());
    dumper_ = static_cast<fakes::FakeRoutingDumper*>(io.routingDumps.get());
    worker_ = std::make_unique<VrrpWorker>(
        loop_, config_, 1, [this](uint64_t) { return config_; }, std::move(io));
    journal_.take();
  }

  nlohmann::json deletions() const {
    return nlohmann::json::parse(worker_->snapshot())["static_deletions"];
  }

  std::shared_ptr<const config::Config> config_ =
      config::loadConfigText("worker.conf", kStatic, config::LoadOptions{}).config;
  fakes::RoutingJournal journal_;
  SimulatedLoop loop_;
  fakes::FakeDeletionMonitor* monitor_ = nullptr;
  fakes::FakeRoutingDumper* dumper_ = nullptr;
  std::unique_ptr<VrrpWorker> worker_;
};

TEST_F(WorkerStaticResyncTest, ARouteDeletedUnseenComesBackAndIsCountedRestored) {
  journal_.routes.clear();  // `ip route del 10.9.0.0/16` while notifications were lost
  monitor_->overflow();
  ASSERT_TRUE(dumper_->busy());
  EXPECT_EQ(dumper_->lastRequest.routes.size(), 1u);
  EXPECT_EQ(dumper_->lastRequest.ruleFamilies, std::set<int>{AF_INET});
  EXPECT_THAT(journal_.entries, IsEmpty());  // nothing added before the kernel is read

  dumper_->answer({{}, {}, {heldRule()}});
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.0.0/16 via 192.0.2.1"));
  EXPECT_THAT(journal_.rules, ElementsAre("from 10.9.2.0/24 lookup 100 pref 500"));
  const auto counted = deletions();
  EXPECT_EQ(counted["restored"]["static_routes"], 1);
  EXPECT_EQ(counted["restored"]["static_rules"], 0);
  EXPECT_EQ(counted["notifications_lost"], 1);
  EXPECT_EQ(counted["resyncs"], 1);
  EXPECT_EQ(counted["resync_failures"], 0);
}

TEST_F(WorkerStaticResyncTest, NothingMissingNothingAdded) {
  monitor_->overflow();
  dumper_->answer({{}, {heldRoute()}, {heldRule()}});
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_EQ(deletions()["resyncs"], 1);
  EXPECT_EQ(deletions()["restored"]["static_routes"], 0);
}

TEST_F(WorkerStaticResyncTest, LossesDuringAReadingMakeOneMoreReadingNotOneEach) {
  monitor_->overflow();
  monitor_->overflow();
  monitor_->overflow();
  EXPECT_EQ(dumper_->dumps, 1);
  dumper_->answer({{}, {heldRoute()}, {heldRule()}});
  EXPECT_EQ(dumper_->dumps, 2);  // what the later losses hid is read after the first
  journal_.rules.clear();
  dumper_->answer({{}, {heldRoute()}, {}});
  EXPECT_EQ(dumper_->dumps, 2);
  EXPECT_THAT(journal_.take(), ElementsAre("rule+ from 10.9.2.0/24 lookup 100 pref 500"));
  EXPECT_EQ(deletions()["resyncs"], 2);
  EXPECT_EQ(deletions()["notifications_lost"], 3);
}

TEST_F(WorkerStaticResyncTest, AFailedReadingIsTriedAgainAfterASecondThreeTimesAtMost) {
  monitor_->overflow();
  dumper_->fail(Error{EBUSY, "netlink: reading the kernel's routes"});
  EXPECT_FALSE(dumper_->busy());
  loop_.advance(RoutingLossResync::kRetryDelay);
  ASSERT_TRUE(dumper_->busy());
  dumper_->fail(Error{EBUSY, "netlink: reading the kernel's routes"});
  loop_.advance(RoutingLossResync::kRetryDelay);
  dumper_->fail(Error{EBUSY, "netlink: reading the kernel's routes"});
  loop_.advance(RoutingLossResync::kRetryDelay * 5);
  EXPECT_FALSE(dumper_->busy());
  EXPECT_EQ(dumper_->dumps, 3);
  EXPECT_EQ(deletions()["resync_failures"], 3);
  EXPECT_EQ(deletions()["resyncs"], 0);

  journal_.routes.clear();
  monitor_->overflow();  // the next loss starts afresh
  dumper_->answer({{}, {}, {heldRule()}});
  EXPECT_THAT(journal_.take(), ElementsAre("route+ 10.9.0.0/16 via 192.0.2.1"));
  EXPECT_EQ(deletions()["resyncs"], 1);
}

TEST_F(WorkerStaticResyncTest, AReadingBegunBeforeAReloadIsMadeAgain) {
  monitor_->overflow();
  worker_->reload(2);
  dumper_->answer({});  // read before the reload: says nothing of what it holds
  EXPECT_EQ(dumper_->dumps, 2);
  EXPECT_THAT(journal_.take(), IsEmpty());
  dumper_->answer({{}, {heldRoute()}, {heldRule()}});
  EXPECT_THAT(journal_.take(), IsEmpty());
  EXPECT_EQ(deletions()["resyncs"], 1);
}

// The static entries' deletions are listened to from the start; an
// instance's virtual routes and rules only while it has them installed (a
// MASTER): here it never runs (no such interface), like a BACKUP it joins
// nothing for its IPv6 route. A no_track entry joins nothing either.
TEST(WorkerDeletionGroupsTest, OnlyTheStaticEntriesAreWatchedWithoutAMaster) {
  constexpr const char* kVirtual = R"(
static_rules {
  from 10.9.2.0/24 table 100 pref 500
}
vrrp_instance VI_1 {
  interface vgnosuchif0
  virtual_router_id 51
  virtual_ipaddress {
    2001:db8::100/64
  }
  virtual_routes {
    2001:db8:9::/48 via 2001:db8::1
    10.9.0.0/16 via 192.0.2.1 no_track
  }
  virtual_rules {
    from 2001:db8::100 table 100 pref 100 no_track
  }
}
)";
  auto config = config::loadConfigText("worker.conf", kVirtual, config::LoadOptions{}).config;
  ASSERT_TRUE(config);
  WorkerIo io = loggingWorkerIo();
  auto deletions = std::make_unique<fakes::FakeDeletionMonitor>();
  fakes::FakeDeletionMonitor& monitor = *deletions;
  io.deletions = std::move(deletions);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, std::move(io));
  EXPECT_EQ(monitor.watched, netlink::NotificationGroups{RTNLGRP_IPV4_RULE});
}

}  // namespace
}  // namespace vigil::vrrp
