// The `conf` examples of doc/config-vrrp.md and doc/vips.md are complete
// files that pass the config test: the pages promise it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/test_paths.h"
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

void expectExamplesPassTheConfigTest(const std::string& page, size_t atLeast) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/doc/" + page);
  ASSERT_TRUE(in) << "doc/" << page;
  std::stringstream text;
  text << in.rdbuf();
  auto blocks = confBlocks(text.str());
  EXPECT_GE(blocks.size(), atLeast) << page;
  for (const std::string& block : blocks) {
    auto r = testing::load(block);
    EXPECT_THAT(testing::errors(r), ::testing::IsEmpty()) << page << "\n" << block;
    for (const std::string& w : testing::warnings(r)) {
      EXPECT_THAT(w, ::testing::HasSubstr("is not supported by vigil")) << page << "\n" << block;
    }
  }
}

TEST(VrrpDocExamplesTest, EveryConfExamplePassesTheConfigTest) {
  expectExamplesPassTheConfigTest("config-vrrp.md", 8);
}

TEST(VrrpDocExamplesTest, EveryVipsPageExamplePassesTheConfigTest) {
  expectExamplesPassTheConfigTest("vips.md", 3);
}

}  // namespace
}  // namespace vigil::config
