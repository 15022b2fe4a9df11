#include "check/dataplane_sync.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <random>
#include <string>

#include "check/desired_state.h"
#include "config/loader.h"
#include "ipvs/expand.h"
#include "ipvs/memory_dataplane.h"

namespace vigil::check {
namespace {

// A table that counts reads, so a test can tell a full sync from an
// incremental one by what the backend saw.
class CountingDataplane final : public ipvs::Dataplane {
 public:
  Result<ipvs::IpvsState> read() override {
    ++reads;
    return table.read();
  }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>& ops) override { return table.apply(ops); }
  std::string_view name() const override { return "counting"; }

  ipvs::MemoryDataplane table;
  int reads = 0;
};

std::string servers(int first, int count, const std::string& extra = "") {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    text += " real_server 10.0.0." + std::to_string(i) + " 80 { weight " + std::to_string(i) +
            "\n" + extra + " TCP_CHECK { } }\n";
  }
  return text;
}

// Four virtual servers: one with a sorry server and a quorum (so server
// changes move the quorum), one with inhibit_on_failure, a group naming the
// same service as the second (their destinations merge), and a plain one.
std::string configText() {
  return "virtual_server_group G {\n 10.0.0.101 80\n}\n"
         "virtual_server 10.0.0.100 80 {\n protocol TCP\n quorum 9\n hysteresis 1\n"
         " sorry_server 10.0.9.9 80\n" +
         servers(1, 4) + "}\n" + "virtual_server 10.0.0.101 80 {\n protocol TCP\n" +
         servers(11, 3, "inhibit_on_failure\n") + "}\n" +
         "virtual_server group G {\n protocol TCP\n" + servers(21, 2) + "}\n" +
         "virtual_server 10.0.0.102 80 {\n protocol TCP\n" + servers(31, 3) + "}\n";
}

struct Fixture {
  config::LoadResult loaded;
  std::vector<ServiceState> health;
  CountingDataplane dataplane;
  DataplaneSync sync{dataplane};

  Fixture() : loaded(config::loadConfigText("t.conf", configText(), config::LoadOptions{})) {
    EXPECT_NE(loaded.config, nullptr) << "config";
    if (!loaded.config) return;
    for (const auto& vs : lvs().virtualServers) health.emplace_back(vs);
    sync.reset(lvs());
  }
  const config::LvsModel& lvs() const { return loaded.config->lvs; }
};

TEST(DataplaneSyncTest, IncrementalSyncsKeepTheTableEqualToTheDesiredState) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ASSERT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  ASSERT_EQ(f.dataplane.table.state(), desiredState(f.lvs(), f.health));
  const int readsAfterStart = f.dataplane.reads;
  std::mt19937 random(7);
  for (int step = 0; step < 400; ++step) {
    // One to three servers change in a turn, then one sync.
    const int changes = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < changes; ++i) {
      size_t s = random() % f.health.size();
      size_t r = random() % f.health[s].realServers().size();
      (void)f.health[s].setChecker(r, 0, random() % 2 == 0);
      f.sync.markServer(s, r);
    }
    ipvs::SyncReport report = f.sync.sync(f.lvs(), f.health);
    ASSERT_TRUE(report.ok()) << step;
    ASSERT_EQ(f.dataplane.table.state(), desiredState(f.lvs(), f.health)) << "step " << step;
  }
  EXPECT_EQ(f.dataplane.reads, readsAfterStart);  // never re-read the table
  EXPECT_EQ(f.sync.fullSyncs(), 1u);
}

TEST(DataplaneSyncTest, OneServerDownIsOneOp) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ASSERT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  (void)f.health[3].setChecker(1, 0, false);  // 10.0.0.32 of 10.0.0.102
  f.sync.markServer(3, 1);
  f.sync.markServer(3, 1);  // marked twice in one turn: still one op
  ipvs::SyncReport report = f.sync.sync(f.lvs(), f.health);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.opsIssued, 1u);
  EXPECT_EQ(f.dataplane.table.state(), desiredState(f.lvs(), f.health));
  EXPECT_EQ(f.sync.sync(f.lvs(), f.health).opsIssued, 0u);  // nothing marked
}

TEST(DataplaneSyncTest, AFailedApplyMakesTheNextSyncReadAndReconcileInFull) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ASSERT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  const int reads = f.dataplane.reads;
  (void)f.health[3].setChecker(0, 0, false);
  f.sync.markServer(3, 0);
  ipvs::Op remove =
      ipvs::DeleteDestination{f.dataplane.table.state().services.rbegin()->first,
                              ipvs::destinationKey(f.lvs().virtualServers[3].realServers[0])};
  f.dataplane.table.failOp(remove, Error{EIO, "injected"});
  EXPECT_FALSE(f.sync.sync(f.lvs(), f.health).ok());
  f.dataplane.table.clearFailures();
  // Someone else changed the table meanwhile: the full sync repairs it too.
  (void)f.dataplane.table.apply(
      {ipvs::DeleteService{f.dataplane.table.state().services.begin()->first}});
  EXPECT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  EXPECT_EQ(f.dataplane.reads, reads + 1);
  EXPECT_EQ(f.dataplane.table.state(), desiredState(f.lvs(), f.health));
  EXPECT_EQ(f.sync.fullSyncs(), 2u);
}

TEST(DataplaneSyncTest, ResetMakesTheNextSyncFull) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ASSERT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  f.sync.reset(f.lvs());
  EXPECT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  EXPECT_EQ(f.dataplane.reads, 2);
}

TEST(DataplaneSyncTest, AppliedFollowsTheTableThroughRefusals) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ipvs::IpvsState desired = desiredState(f.lvs(), f.health);
  const auto& [key, entry] = *desired.services.rbegin();
  f.dataplane.table.failOp(ipvs::AddService{key, entry.service}, Error{ENOENT, "no scheduler"});
  EXPECT_FALSE(f.sync.sync(f.lvs(), f.health).ok());
  EXPECT_EQ(f.sync.applied(), f.dataplane.table.state());
  EXPECT_FALSE(f.sync.applied().services.contains(key));
  f.dataplane.table.clearFailures();
  EXPECT_TRUE(f.sync.sync(f.lvs(), f.health).ok());  // full again: installs it
  EXPECT_EQ(f.sync.applied(), f.dataplane.table.state());
}

TEST(DataplaneSyncTest, ClearDeletesEachAppliedServiceOnceWithoutARead) {
  Fixture f;
  ASSERT_NE(f.loaded.config, nullptr);
  ASSERT_TRUE(f.sync.sync(f.lvs(), f.health).ok());
  const size_t services = f.dataplane.table.state().services.size();
  const size_t ops = f.dataplane.table.opsAttempted();
  const int reads = f.dataplane.reads;
  EXPECT_TRUE(f.sync.clear().ok());
  EXPECT_EQ(f.dataplane.table.opsAttempted(), ops + services);
  EXPECT_EQ(f.dataplane.reads, reads);
  EXPECT_TRUE(f.dataplane.table.state().services.empty());
  EXPECT_TRUE(f.sync.applied().services.empty());
}

}  // namespace
}  // namespace vigil::check
