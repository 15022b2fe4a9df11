#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vigil::check
