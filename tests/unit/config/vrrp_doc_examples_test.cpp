// The `conf` examples of doc/config-vrrp.md are complete files that pass
// the config test: the page promises it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

std::vector<std::string> confBlocks(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream in(markdown);
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

TEST(VrrpDocExamplesTest, EveryConfExamplePassesTheConfigTest) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/doc/config-vrrp.md");
  ASSERT_TRUE(in) << "doc/config-vrrp.md";
  std::stringstream text;
  text << in.rdbuf();
  auto blocks = confBlocks(text.str());
  EXPECT_GE(blocks.size(), 8u);
  for (const std::string& block : blocks) {
    auto r = testing::load(block);
    EXPECT_THAT(testing::errors(r), ::testing::IsEmpty()) << block;
    for (const std::string& w : testing::warnings(r)) {
      EXPECT_THAT(w, ::testing::HasSubstr("is not supported by vigil")) << block;
    }
  }
}

}  // namespace
}  // namespace vigil::config
