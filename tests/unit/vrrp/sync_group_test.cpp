#include "vrrp/sync_group.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::vrrp {
namespace {

using Directives = std::vector<SyncDirective>;

SyncGroup threeMembers() {
  SyncGroup g("G1", {"VI_1", "VI_2", "VI_3"});
  for (const char* m : {"VI_1", "VI_2", "VI_3"}) {
    (void)g.memberStateChanged(m, State::Backup);
  }
  return g;
}

TEST(SyncGroupTest, OneMemberBecomingMasterTakesTheOthersAlong) {
  SyncGroup g = threeMembers();
  EXPECT_EQ(g.state(), State::Backup);
  SyncResult r = g.memberStateChanged("VI_2", State::Master);
  EXPECT_EQ(r.directives, (Directives{{"VI_1", SyncTarget::Master}, {"VI_3", SyncTarget::Master}}));
  EXPECT_FALSE(r.groupChanged);  // not all there yet
  EXPECT_TRUE(g.memberStateChanged("VI_1", State::Master).directives.size() == 1);
  SyncResult last = g.memberStateChanged("VI_3", State::Master);
  EXPECT_TRUE(last.directives.empty());
  EXPECT_EQ(last.groupChanged, std::optional<State>(State::Master));
}

TEST(SyncGroupTest, AMasterFallingBackTakesTheOtherMastersBack) {
  SyncGroup g = threeMembers();
  for (const char* m : {"VI_1", "VI_2", "VI_3"}) {
    (void)g.memberStateChanged(m, State::Master);
  }
  SyncResult r = g.memberStateChanged("VI_3", State::Backup);
  EXPECT_EQ(r.directives, (Directives{{"VI_1", SyncTarget::Backup}, {"VI_2", SyncTarget::Backup}}));
  EXPECT_EQ(r.groupChanged, std::optional<State>(State::Backup));
}

TEST(SyncGroupTest, AnyMemberFaultFaultsEveryMemberUntilAllAreClear) {
  SyncGroup g = threeMembers();
  SyncResult raised = g.setMemberFault("VI_1", true);
  EXPECT_EQ(raised.directives, (Directives{{"VI_1", SyncTarget::Fault},
                                           {"VI_2", SyncTarget::Fault},
                                           {"VI_3", SyncTarget::Fault}}));
  EXPECT_TRUE(g.faulted());
  EXPECT_TRUE(g.setMemberFault("VI_2", true).directives.empty());   // already faulted
  EXPECT_TRUE(g.setMemberFault("VI_1", false).directives.empty());  // VI_2 still is
  SyncResult cleared = g.setMemberFault("VI_2", false);
  EXPECT_EQ(cleared.directives, (Directives{{"VI_1", SyncTarget::FaultCleared},
                                            {"VI_2", SyncTarget::FaultCleared},
                                            {"VI_3", SyncTarget::FaultCleared}}));
}

TEST(SyncGroupTest, NoMastershipIsSpreadWhileFaulted) {
  SyncGroup g = threeMembers();
  (void)g.setMemberFault("VI_1", true);
  (void)g.memberStateChanged("VI_1", State::Fault);
  EXPECT_EQ(g.state(), State::Fault);
  EXPECT_TRUE(g.memberStateChanged("VI_2", State::Master).directives.empty());
}

TEST(SyncGroupTest, TheLastMemberToWantMasterIsTheOneThatMayTakeOver) {
  SyncGroup g = threeMembers();
  EXPECT_FALSE(g.mayTakeOver("VI_1"));  // VI_2 and VI_3 still hear their master
  EXPECT_TRUE(g.wantsMaster("VI_1"));
  EXPECT_FALSE(g.mayTakeOver("VI_2"));
  EXPECT_TRUE(g.mayTakeOver("VI_3"));
}

TEST(SyncGroupTest, HearingAMasterAgainWithdrawsTheWish) {
  SyncGroup g = threeMembers();
  EXPECT_FALSE(g.mayTakeOver("VI_1"));
  EXPECT_FALSE(g.mayTakeOver("VI_2"));
  g.masterHeard("VI_1");
  EXPECT_FALSE(g.wantsMaster("VI_1"));
  EXPECT_FALSE(g.mayTakeOver("VI_3"));  // VI_1 defers to its master again
  EXPECT_TRUE(g.mayTakeOver("VI_1"));   // its timer ran out once more
}

TEST(SyncGroupTest, NoMemberMayTakeOverWhileAnyMemberIsFaulted) {
  SyncGroup g = threeMembers();
  (void)g.setMemberFault("VI_3", true);
  EXPECT_FALSE(g.mayTakeOver("VI_1"));
  EXPECT_FALSE(g.mayTakeOver("VI_2"));
  EXPECT_FALSE(g.mayTakeOver("VI_3"));
  (void)g.setMemberFault("VI_3", false);
  // In Fault by its state machine (not yet told the fault cleared): still no.
  (void)g.memberStateChanged("VI_3", State::Fault);
  EXPECT_FALSE(g.mayTakeOver("VI_1"));
  (void)g.memberStateChanged("VI_3", State::Backup);
  (void)g.mayTakeOver("VI_2");
  EXPECT_TRUE(g.mayTakeOver("VI_3"));
}

TEST(SyncGroupTest, AMemberAlreadyMasterLetsTheOthersFollow) {
  SyncGroup g = threeMembers();
  (void)g.memberStateChanged("VI_2", State::Master);
  EXPECT_TRUE(g.mayTakeOver("VI_1"));
}

TEST(SyncGroupTest, ATransitionSettlesTheWish) {
  SyncGroup g = threeMembers();
  EXPECT_FALSE(g.mayTakeOver("VI_1"));
  (void)g.memberStateChanged("VI_1", State::Master);
  (void)g.memberStateChanged("VI_1", State::Backup);
  EXPECT_FALSE(g.wantsMaster("VI_1"));
}

TEST(SyncGroupTest, ASingleMemberGroupOrAStrangerMayTakeOver) {
  SyncGroup lone("G1", {"VI_1"});
  (void)lone.memberStateChanged("VI_1", State::Backup);
  EXPECT_TRUE(lone.mayTakeOver("VI_1"));
  SyncGroup g = threeMembers();
  EXPECT_TRUE(g.mayTakeOver("other"));
}

TEST(SyncGroupTest, UnknownMembersAreIgnored) {
  SyncGroup g = threeMembers();
  EXPECT_TRUE(g.setMemberFault("other", true).directives.empty());
  EXPECT_TRUE(g.memberStateChanged("other", State::Master).directives.empty());
  EXPECT_FALSE(g.faulted());
  EXPECT_FALSE(g.hasMember("other"));
}

TEST(SyncGroupTest, BuiltFromConfig) {
  config::VrrpSyncGroup cfg;
  cfg.name = "G1";
  cfg.members = {{"VI_1", {}}, {"VI_2", {}}};
  SyncGroup g(cfg);
  EXPECT_EQ(g.name(), "G1");
  EXPECT_TRUE(g.hasMember("VI_2"));
  EXPECT_EQ(g.state(), State::Initialize);
}

}  // namespace
}  // namespace vigil::vrrp
