#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "check/dataplane_sync.h"
#include "check/desired_state.h"
#include "config/loader.h"
#include "ipvs/expand.h"
#include "ipvs/memory_dataplane.h"

namespace vigil::check {
namespace {

ipvs::ServiceKey tcp(const char* address, uint16_t port) {
  return ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *IpAddress::parse(address), port);
}

struct TempFile {
  TempFile() {
    char pattern[] = "/tmp/vigil-owned-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    dir = made != nullptr ? made : "/nonexistent";
  }
  ~TempFile() { std::filesystem::remove_all(dir); }
  OwnedServicesFile file() const { return OwnedServicesFile(dir + "/owned"); }
  std::string dir;
};

// An operator's service, made with ipvsadm before vigild started.
ipvs::ServiceKey foreign() { return tcp("192.0.2.50", 8080); }

std::string virtualServer(const char* address, int weight) {
  return std::string("virtual_server ") + address +
         " 80 {\n protocol TCP\n real_server 10.0.0.1 80 {\n weight " + std::to_string(weight) +
         "\n }\n}\n";
}

struct Loaded {
  explicit Loaded(const std::string& text)
      : result(config::loadConfigText("t.conf", text, config::LoadOptions{})) {
    EXPECT_NE(result.config, nullptr) << text;
    if (!result.config) return;
    for (const auto& vs : lvs().virtualServers) health.emplace_back(vs);
  }
  const config::LvsModel& lvs() const { return result.config->lvs; }
  config::LoadResult result;
  std::vector<ServiceState> health;
};

// The table before start: the foreign service, and vigil's own A (left by a
// previous run) with another weight than the configuration's.
ipvs::MemoryDataplane tableBeforeStart(const Loaded& config) {
  ipvs::IpvsState table = desiredState(config.lvs(), config.health);
  for (auto& [key, entry] : table.services) {
    for (auto& [dest, d] : entry.destinations) d.weight = 7;
  }
  table.services[foreign()];
  return ipvs::MemoryDataplane(table);
}

TEST(DataplaneSyncOwnershipTest, OwnedPartKeepsOnlyOwnedServices) {
  ipvs::IpvsState table;
  table.services[foreign()];
  table.services[tcp("10.0.0.100", 80)];
  ipvs::IpvsState part = ownedPart(table, {tcp("10.0.0.100", 80), tcp("10.0.0.101", 80)});
  ASSERT_EQ(part.services.size(), 1u);
  EXPECT_TRUE(part.services.contains(tcp("10.0.0.100", 80)));
  EXPECT_EQ(ownedAfter({tcp("10.0.0.100", 80)}, {tcp("10.0.0.101", 80)}),
            (ServiceKeys{tcp("10.0.0.100", 80), tcp("10.0.0.101", 80)}));
}

TEST(DataplaneSyncOwnershipTest, StartUpAdoptsConfiguredServicesAndLeavesOthersAlone) {
  Loaded config(virtualServer("10.0.0.100", 3));
  ASSERT_NE(config.result.config, nullptr);
  ipvs::MemoryDataplane dp = tableBeforeStart(config);
  DataplaneSync sync(dp);
  sync.reset(config.lvs());
  ipvs::SyncReport report = sync.sync(config.lvs(), config.health);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.opsIssued, 1u);  // the weight: one edit, no delete + add
  EXPECT_TRUE(dp.state().services.contains(foreign()));
  EXPECT_EQ(ownedPart(dp.state(), sync.owned()), desiredState(config.lvs(), config.health));
  // A default stop removes vigil's service only.
  EXPECT_TRUE(sync.clear().ok());
  ASSERT_EQ(dp.state().services.size(), 1u);
  EXPECT_TRUE(dp.state().services.contains(foreign()));
}

TEST(DataplaneSyncOwnershipTest, WithLvsFlushTheTableIsEmptiedBeforeTheFirstSync) {
  // lvs_flush is the flush before the check worker starts
  // (withLvsGlobals()); the sync then installs only the configuration.
  Loaded config("global_defs {\n lvs_flush\n}\n" + virtualServer("10.0.0.100", 3));
  ASSERT_NE(config.result.config, nullptr);
  EXPECT_TRUE(config.result.config->global.lvsFlush);
  Loaded unflushed(virtualServer("10.0.0.100", 3));
  ipvs::MemoryDataplane dp = tableBeforeStart(unflushed);
  std::vector<ipvs::Op> flush;
  for (const auto& [key, entry] : dp.state().services) flush.push_back(ipvs::DeleteService{key});
  ASSERT_TRUE(dp.apply(flush).ok());
  DataplaneSync sync(dp);
  sync.reset(config.lvs());
  EXPECT_TRUE(sync.sync(config.lvs(), config.health).ok());
  EXPECT_EQ(dp.state(), desiredState(config.lvs(), config.health));
}

TEST(DataplaneSyncOwnershipTest, AReloadRemovesWhatTheOldFileNamedAndAdoptsWhatTheNewOneNames) {
  Loaded before(virtualServer("10.0.0.100", 3));
  ASSERT_NE(before.result.config, nullptr);
  ipvs::MemoryDataplane dp = tableBeforeStart(before);
  DataplaneSync sync(dp);
  sync.reset(before.lvs());
  ASSERT_TRUE(sync.sync(before.lvs(), before.health).ok());
  // The new file drops 10.0.0.100 and names the operator's service.
  Loaded after(virtualServer("10.0.0.101", 3) +
               "virtual_server 192.0.2.50 8080 {\n protocol TCP\n"
               " real_server 10.0.0.2 80 {\n }\n}\n");
  ASSERT_NE(after.result.config, nullptr);
  sync.reload(after.lvs());
  EXPECT_TRUE(sync.sync(after.lvs(), after.health).ok());
  EXPECT_EQ(dp.state(), desiredState(after.lvs(), after.health));
  EXPECT_FALSE(sync.owned().contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(sync.clear().ok());
  EXPECT_TRUE(dp.state().services.empty());
}

TEST(DataplaneSyncOwnershipTest, AFailedDeleteOnReloadIsRetriedByTheNextFullSync) {
  Loaded before(virtualServer("10.0.0.100", 3));
  ASSERT_NE(before.result.config, nullptr);
  ipvs::MemoryDataplane dp;
  DataplaneSync sync(dp);
  sync.reset(before.lvs());
  ASSERT_TRUE(sync.sync(before.lvs(), before.health).ok());
  (void)dp.apply({ipvs::AddService{foreign(), {}}});  // added while vigild runs
  Loaded after(virtualServer("10.0.0.101", 3));
  sync.reload(after.lvs());
  dp.failOp(ipvs::DeleteService{tcp("10.0.0.100", 80)}, Error{EIO, "injected"});
  EXPECT_FALSE(sync.sync(after.lvs(), after.health).ok());
  dp.clearFailures();
  EXPECT_TRUE(sync.sync(after.lvs(), after.health).ok());  // full: reads, deletes it
  EXPECT_FALSE(dp.state().services.contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(dp.state().services.contains(foreign()));
}

// The check worker restarted (crash, or the supervisor respawning it) after
// a reload's delete failed: the new worker, on the new file only, still
// owns the dropped service and deletes it; the operator's stays.
TEST(DataplaneSyncOwnershipTest, AServiceWhoseDeleteFailedIsStillOwnedAfterAWorkerRestart) {
  TempFile state;
  Loaded before(virtualServer("10.0.0.100", 3));
  Loaded after(virtualServer("10.0.0.101", 3));
  ASSERT_NE(before.result.config, nullptr);
  ASSERT_NE(after.result.config, nullptr);
  ipvs::MemoryDataplane dp;
  (void)dp.apply({ipvs::AddService{foreign(), {}}});
  {
    DataplaneSync first(dp, state.file());
    first.reset(before.lvs());
    ASSERT_TRUE(first.sync(before.lvs(), before.health).ok());
    first.reload(after.lvs());
    dp.failOp(ipvs::DeleteService{tcp("10.0.0.100", 80)}, Error{EIO, "injected"});
    EXPECT_FALSE(first.sync(after.lvs(), after.health).ok());
    ASSERT_TRUE(dp.state().services.contains(tcp("10.0.0.100", 80)));
  }  // dies without clear(), as a crashed worker does
  dp.clearFailures();
  DataplaneSync restarted(dp, state.file());
  restarted.reset(after.lvs());
  EXPECT_TRUE(restarted.owned().contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(restarted.sync(after.lvs(), after.health).ok());
  EXPECT_FALSE(dp.state().services.contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(dp.state().services.contains(foreign()));
  EXPECT_EQ(ownedPart(dp.state(), restarted.owned()), desiredState(after.lvs(), after.health));
  // Deleted: the record now holds only what the configuration names.
  auto recorded = state.file().load();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, ServiceKeys{tcp("10.0.0.101", 80)});
}

// The worker was killed (a crash, the OOM killer) while its configuration
// still named the service; it restarts with one that no longer does. The
// record of everything vigil owns lets it delete the service rather than
// take it for an operator's.
TEST(DataplaneSyncOwnershipTest, AConfiguredServiceIsStillOwnedWhenTheRestartDropsIt) {
  TempFile state;
  Loaded before(virtualServer("10.0.0.100", 3));
  Loaded after(virtualServer("10.0.0.101", 3));
  ipvs::MemoryDataplane dp;
  (void)dp.apply({ipvs::AddService{foreign(), {}}});
  {
    DataplaneSync killed(dp, state.file());
    killed.reset(before.lvs());
    ASSERT_TRUE(killed.sync(before.lvs(), before.health).ok());
  }  // dies without clear()
  DataplaneSync restarted(dp, state.file());
  restarted.reset(after.lvs());
  EXPECT_TRUE(restarted.sync(after.lvs(), after.health).ok());
  EXPECT_FALSE(dp.state().services.contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(dp.state().services.contains(foreign()));
  EXPECT_EQ(ownedPart(dp.state(), restarted.owned()), desiredState(after.lvs(), after.health));
}

// Without the record (no file) the restarted worker takes the dropped
// service for someone else's and leaves it: what the file is for.
TEST(DataplaneSyncOwnershipTest, WithoutTheRecordARestartedWorkerLeavesTheDroppedService) {
  Loaded before(virtualServer("10.0.0.100", 3));
  Loaded after(virtualServer("10.0.0.101", 3));
  ipvs::MemoryDataplane dp(desiredState(before.lvs(), before.health));
  DataplaneSync restarted(dp);
  restarted.reset(after.lvs());
  EXPECT_TRUE(restarted.sync(after.lvs(), after.health).ok());
  EXPECT_TRUE(dp.state().services.contains(tcp("10.0.0.100", 80)));
}

// A stop that could not delete a service leaves it recorded even though
// the file named it: the next run, with a file that no longer does, removes it.
TEST(DataplaneSyncOwnershipTest, AServiceAStopCouldNotDeleteIsRemovedByTheNextRun) {
  TempFile state;
  Loaded before(virtualServer("10.0.0.100", 3));
  Loaded after(virtualServer("10.0.0.101", 3));
  ipvs::MemoryDataplane dp;
  {
    DataplaneSync stopping(dp, state.file());
    stopping.reset(before.lvs());
    ASSERT_TRUE(stopping.sync(before.lvs(), before.health).ok());
    dp.failOp(ipvs::DeleteService{tcp("10.0.0.100", 80)}, Error{EIO, "injected"});
    EXPECT_FALSE(stopping.clear().ok());
  }
  dp.clearFailures();
  DataplaneSync next(dp, state.file());
  next.reset(after.lvs());
  EXPECT_TRUE(next.sync(after.lvs(), after.health).ok());
  EXPECT_EQ(dp.state(), desiredState(after.lvs(), after.health));
}

// A recorded service someone else deleted meanwhile is forgotten at the
// first read: were it added again, it would be theirs.
TEST(DataplaneSyncOwnershipTest, ARecordedServiceGoneFromTheTableIsNoLongerOwned) {
  TempFile state;
  ASSERT_TRUE(state.file().save({tcp("10.0.0.100", 80)}).ok());
  Loaded config(virtualServer("10.0.0.101", 3));
  ipvs::MemoryDataplane dp;
  DataplaneSync sync(dp, state.file());
  sync.reset(config.lvs());
  EXPECT_TRUE(sync.owned().contains(tcp("10.0.0.100", 80)));
  EXPECT_TRUE(sync.sync(config.lvs(), config.health).ok());
  EXPECT_FALSE(sync.owned().contains(tcp("10.0.0.100", 80)));
  auto recorded = state.file().load();
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, ServiceKeys{tcp("10.0.0.101", 80)});
  (void)dp.apply({ipvs::AddService{tcp("10.0.0.100", 80), {}}});  // an operator's now
  sync.reset(config.lvs());
  EXPECT_TRUE(sync.sync(config.lvs(), config.health).ok());
  EXPECT_TRUE(dp.state().services.contains(tcp("10.0.0.100", 80)));
}

}  // namespace
}  // namespace vigil::check
