// Every configuration Debian ships with keepalived reads without an error in
// global_defs or a VRRP block (warnings are allowed: keywords outside vigil's
// scope). The LVS blocks are checked by their own tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "config/lexer.h"
#include "config/loader.h"
#include "config/node.h"

namespace vigil::config {
namespace {

namespace fs = std::filesystem;

const char* const kSamples = "/usr/share/doc/keepalived/samples";

bool isGlobalOrVrrpBlock(const std::string& name) {
  static const std::set<std::string> kNames = {
      "global_defs",        "vrrp_script",     "track_file",   "vrrp_track_file",
      "vrrp_track_process", "vrrp_sync_group", "track_group",  "vrrp_instance",
      "static_ipaddress",   "static_routes",   "static_rules", "interface_up_down_delays"};
  return kNames.count(name) > 0;
}

uint32_t lastLine(const Node& node) {
  uint32_t last = node.keyword.pos.line;
  for (const Token& arg : node.args) {
    last = std::max(last, arg.pos.line);
  }
  for (const Node& child : node.children) {
    last = std::max(last, lastLine(child));
  }
  return last;
}

struct LineRange {
  uint32_t first;
  uint32_t last;
};

// The lines of the file's global_defs and VRRP blocks.
std::vector<LineRange> ourBlocks(const std::string& path) {
  SourceSet sources;
  Diagnostics ignored;
  Lexer lexer(sources, ignored, LexerOptions{});
  auto tokens = lexer.readFile(path);
  std::vector<LineRange> out;
  if (!tokens) {
    ADD_FAILURE() << "cannot read " << path;
    return out;
  }
  for (const Node& node : buildTree(*tokens, ignored)) {
    if (isGlobalOrVrrpBlock(node.name())) {
      out.push_back({node.pos().line, lastLine(node)});
    }
  }
  return out;
}

std::vector<std::string> samples() {
  std::vector<std::string> out;
  if (!fs::is_directory(kSamples)) {
    return out;
  }
  for (const auto& entry : fs::directory_iterator(kSamples)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("keepalived.conf", 0) == 0) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(VrrpSamplesTest, DebianSamplesHaveNoGlobalOrVrrpErrors) {
  auto files = samples();
  if (files.empty()) {
    GTEST_SKIP() << kSamples << " is absent (install keepalived)";
  }
  for (const std::string& path : files) {
    LoadResult result = loadConfig(path, LoadOptions{});
    EXPECT_FALSE(result.unreadable) << path;
    auto blocks = ourBlocks(path);
    EXPECT_FALSE(blocks.empty() && path.find("vrrp") != std::string::npos) << path;
    for (const Diagnostic& d : result.diagnostics.all()) {
      if (d.severity != Severity::Error) {
        continue;
      }
      for (const LineRange& block : blocks) {
        bool inside = d.pos.line >= block.first && d.pos.line <= block.last;
        EXPECT_FALSE(inside) << d.format();
      }
    }
  }
}

// The samples exercise most VRRP blocks; spot-check what they parse into.
TEST(VrrpSamplesTest, SyncSampleGroupsItsInstances) {
  std::string path = std::string(kSamples) + "/keepalived.conf.vrrp.sync";
  if (!fs::exists(path)) {
    GTEST_SKIP() << path << " is absent";
  }
  LoadResult result = loadConfig(path, LoadOptions{});
  ASSERT_TRUE(result.config);
  const VrrpModel& vrrp = result.config->vrrp;
  ASSERT_EQ(vrrp.syncGroups.size(), 2u);
  EXPECT_EQ(vrrp.syncGroups[0].members.size(), 7u);
  ASSERT_EQ(vrrp.instances.size(), 9u);
  for (const VrrpInstance& inst : vrrp.instances) {
    EXPECT_FALSE(inst.syncGroup.empty()) << inst.name;
  }
  ASSERT_TRUE(vrrp.syncGroups[0].notify.master);
  EXPECT_EQ(vrrp.syncGroups[0].notify.master->command, "/usr/local/bin/vrrp.mast arg1 arg2");
}

}  // namespace
}  // namespace vigil::config
