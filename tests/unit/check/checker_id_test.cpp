#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "check/probe_registry.h"
#include "config/loader.h"

// A checker's published id names what it probes and how, so it is the same
// every time the same configuration is loaded (a reload): smtp_alert follows
// a checker by it, and a new id at a reload loses the state change there.
namespace vigil::check {
namespace {

const std::string kConfig = R"(track_file load {
  file /run/vigil-test-load
}
virtual_server 10.0.0.100 53 {
  protocol UDP
  real_server 10.0.0.2 53 {
    weight 3
    UDP_CHECK {
      connect_timeout 1
    }
  }
  real_server 10.0.0.3 53 {
    weight 3
    FILE_CHECK {
      track_file load
      weight -2 reverse
    }
  }
  real_server 10.0.0.4 53 {
    weight 3
    FILE_CHECK {
      track_file load
      weight 5
    }
  }
}
)";

std::shared_ptr<const config::Config> load() {
  auto r = config::loadConfigText("t.conf", kConfig, config::LoadOptions{});
  EXPECT_NE(r.config, nullptr);
  return r.config;
}

std::vector<const config::Checker*> checkersOf(const config::Config& config) {
  std::vector<const config::Checker*> out;
  for (const config::RealServer& rs : config.lvs.virtualServers.at(0).realServers) {
    for (const config::Checker& c : rs.checkers) out.push_back(&c);
  }
  return out;
}

TEST(CheckerIdTest, TwoLoadsOfOneConfigGiveUdpAndFileChecksTheSameIds) {
  auto first = load();
  auto second = load();
  ASSERT_TRUE(first && second);
  auto before = checkersOf(*first);
  auto after = checkersOf(*second);
  ASSERT_EQ(before.size(), 3U);
  ASSERT_EQ(after.size(), 3U);
  EXPECT_EQ(before[0]->base.type, config::CheckerType::Udp);
  EXPECT_EQ(before[1]->base.type, config::CheckerType::File);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(checkerId(*before[i]), checkerId(*after[i])) << "checker " << i;
    EXPECT_EQ(checkerId(*before[i]).size(), 16U);
  }
  // Different checkers still have different ids.
  EXPECT_NE(checkerId(*before[0]), checkerId(*before[1]));
  EXPECT_NE(checkerId(*before[1]), checkerId(*before[2]));
}

TEST(CheckerIdTest, AFileCheckIsStillRebuiltByAReloadWhileItsIdStays) {
  auto first = load();
  auto second = load();
  ASSERT_TRUE(first && second);
  const config::Checker& before = *checkersOf(*first)[1];
  const config::Checker& after = *checkersOf(*second)[1];
  // Its probe reads the track_file path and the real server's weight, which
  // its key cannot see: each load's FILE_CHECK runs its own Checker.
  EXPECT_NE(probeKey(before), probeKey(after));
  EXPECT_EQ(checkerId(before), checkerId(after));
  // A UDP_CHECK is shared and kept by its parameters.
  EXPECT_EQ(probeKey(*checkersOf(*first)[0]), probeKey(*checkersOf(*second)[0]));
}

}  // namespace
}  // namespace vigil::check
