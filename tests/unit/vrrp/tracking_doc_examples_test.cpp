// The `conf` examples of doc/vrrp-tracking.md pass the config test, and the
// first one behaves as the page says.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "config/loader.h"
#include "support/test_paths.h"
#include "vrrp/tracking.h"

namespace vigil::vrrp {
namespace {

std::vector<std::string> confBlocks() {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/doc/vrrp-tracking.md");
  std::vector<std::string> out;
  std::string line;
  std::string* block = nullptr;
  while (std::getline(in, line)) {
    if (block == nullptr && line == "```conf") {
      block = &out.emplace_back();
    } else if (block != nullptr && line == "```") {
      block = nullptr;
    } else if (block != nullptr) {
      *block += line + "\n";
    }
  }
  return out;
}

config::LoadResult load(const std::string& text) {
  return config::loadConfigText("doc.conf", text, config::LoadOptions{});
}

TEST(TrackingDocExamplesTest, EveryConfExamplePassesTheConfigTest) {
  auto blocks = confBlocks();
  ASSERT_EQ(blocks.size(), 7u);
  for (const auto& block : blocks) {
    auto r = load(block);
    std::string errors;
    for (const auto& d : r.diagnostics.all()) {
      if (d.severity == config::Severity::Error) {
        errors += d.format() + "\n";
      }
    }
    EXPECT_TRUE(r.config) << errors << block;
  }
}

TEST(TrackingDocExamplesTest, TheFirstExampleMovesPriorityAsDescribed) {
  auto r = load(confBlocks().at(0));
  ASSERT_TRUE(r.config);
  auto t = TrackingState::forInstance(r.config->vrrp.instances.at(0), r.config->vrrp);
  EXPECT_EQ(t.effectivePriority(), 110);
  (void)t.setScript("chk_db", false);
  EXPECT_EQ(t.effectivePriority(), 90);
  (void)t.setFile("prio_file", -5);
  EXPECT_EQ(t.effectivePriority(), 80);
  auto events = t.setInterface("eth1", false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FaultRaised>(events[0]));
}

}  // namespace
}  // namespace vigil::vrrp
