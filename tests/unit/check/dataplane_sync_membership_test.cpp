#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "check/dataplane_sync.h"
#include "config/loader.h"
#include "ipvs/memory_dataplane.h"

// DataplaneSync's change counters (issue 5): membershipChanges() moves when
// the set of services or destinations vigil applied may have changed, never
// for a weight edit; appliedChanges() moves on every accepted change.
namespace vigil::check {
namespace {

std::shared_ptr<const config::Config> load(int servers, int firstWeight) {
  std::string text = "virtual_server 10.0.0.100 80 {\n protocol TCP\n";
  for (int i = 1; i <= servers; ++i) {
    text += " real_server 10.0.0." + std::to_string(i) + " 80 { weight " +
            std::to_string(i == 1 ? firstWeight : 1) + " }\n";
  }
  auto loaded = config::loadConfigText("t.conf", text + "}\n", config::LoadOptions{});
  EXPECT_NE(loaded.config, nullptr);
  return loaded.config;
}

struct Fixture {
  ipvs::MemoryDataplane dataplane;
  DataplaneSync sync{dataplane};
  std::shared_ptr<const config::Config> config;
  std::vector<ServiceState> health;

  // Loads `next` as a reload and syncs it.
  ipvs::SyncReport apply(std::shared_ptr<const config::Config> next, bool first = false) {
    config = std::move(next);
    health.clear();
    for (const auto& vs : config->lvs.virtualServers) health.emplace_back(vs);
    if (first) {
      sync.reset(config->lvs);
    } else {
      sync.reload(config->lvs);
    }
    return sync.sync(config->lvs, health);
  }
};

TEST(DataplaneSyncMembershipTest, AWeightEditMovesOnlyTheAppliedCounter) {
  Fixture f;
  ASSERT_TRUE(f.apply(load(2, 1), true).ok());
  const uint64_t membership = f.sync.membershipChanges();
  const uint64_t applied = f.sync.appliedChanges();
  EXPECT_GT(membership, 0u);  // the start's read and adds

  ipvs::SyncReport edit = f.apply(load(2, 5));
  ASSERT_TRUE(edit.ok());
  EXPECT_EQ(edit.opsIssued, 1u);
  EXPECT_EQ(f.sync.membershipChanges(), membership);
  EXPECT_EQ(f.sync.appliedChanges(), applied + 1);

  ASSERT_TRUE(f.apply(load(2, 5)).ok());  // the same file: nothing moves
  EXPECT_EQ(f.sync.appliedChanges(), applied + 1);
}

TEST(DataplaneSyncMembershipTest, AddingOrRemovingADestinationMovesBoth) {
  Fixture f;
  ASSERT_TRUE(f.apply(load(2, 1), true).ok());
  uint64_t membership = f.sync.membershipChanges();
  ASSERT_TRUE(f.apply(load(3, 1)).ok());
  EXPECT_GT(f.sync.membershipChanges(), membership);
  membership = f.sync.membershipChanges();
  ASSERT_TRUE(f.apply(load(2, 1)).ok());
  EXPECT_GT(f.sync.membershipChanges(), membership);
}

TEST(DataplaneSyncMembershipTest, ARefusedAddMovesNothing) {
  Fixture f;
  ASSERT_TRUE(f.apply(load(2, 1), true).ok());
  const uint64_t membership = f.sync.membershipChanges();
  const uint64_t applied = f.sync.appliedChanges();
  // The op the reload will send, exactly: as another table accepted it.
  Fixture other;
  ASSERT_TRUE(other.apply(load(3, 1), true).ok());
  ipvs::AddDestination add;
  add.service =
      ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *IpAddress::parse("10.0.0.100"), 80);
  add.key = {*IpAddress::parse("10.0.0.3"), 80};
  add.destination = other.dataplane.state().services.at(add.service).destinations.at(add.key);
  f.dataplane.failOp(add, Error{EEXIST, "refused"});
  EXPECT_FALSE(f.apply(load(3, 1)).ok());
  EXPECT_EQ(f.sync.membershipChanges(), membership);
  EXPECT_EQ(f.sync.appliedChanges(), applied);
}

}  // namespace
}  // namespace vigil::check
