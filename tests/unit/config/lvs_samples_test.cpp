// The sample configurations of Debian's keepalived package read without
// errors in their LVS blocks, and into the model they describe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "unit/config/lvs_test_support.h"

namespace vigil::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::IsEmpty;

const fs::path kSamples = "/usr/share/doc/keepalived/samples";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// [first, last] line numbers of the top-level virtual_server,
// virtual_server_group and SSL blocks of a (brace-balanced) file.
std::vector<std::pair<uint32_t, uint32_t>> lvsBlockLines(const std::string& text) {
  std::vector<std::pair<uint32_t, uint32_t>> blocks;
  std::istringstream in(text);
  std::string line;
  uint32_t number = 0;
  int depth = 0;
  bool inLvs = false;
  while (std::getline(in, line)) {
    ++number;
    line = line.substr(0, line.find_first_of("#!"));
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (depth == 0 &&
        (first == "virtual_server" || first == "virtual_server_group" || first == "SSL")) {
      blocks.push_back({number, number});
      inLvs = true;
    }
    for (char c : line) {
      depth += c == '{' ? 1 : (c == '}' ? -1 : 0);
    }
    if (inLvs) {
      blocks.back().second = number;
      inLvs = depth > 0 || blocks.back().first == number;
    }
  }
  return blocks;
}

std::vector<fs::path> samples() {
  std::vector<fs::path> out;
  if (fs::is_directory(kSamples)) {
    for (const auto& entry : fs::directory_iterator(kSamples)) {
      if (entry.path().filename().string().starts_with("keepalived.conf")) {
        out.push_back(entry.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LvsSamplesTest, NoErrorsInTheLvsBlocksOfAnySample) {
  auto files = samples();
  if (files.empty()) {
    GTEST_SKIP() << kSamples << " is absent (install keepalived)";
  }
  size_t withServices = 0;
  for (const fs::path& file : files) {
    auto blocks = lvsBlockLines(readFile(file));
    LoadResult r = loadConfig(file.string(), LoadOptions{});
    ASSERT_FALSE(r.unreadable) << file;
    std::vector<std::string> ours;
    for (const Diagnostic& d : r.diagnostics.all()) {
      for (auto [first, last] : blocks) {
        if (d.severity == Severity::Error && d.pos.line >= first && d.pos.line <= last) {
          ours.push_back(d.format());
        }
      }
    }
    EXPECT_THAT(ours, IsEmpty()) << file;
    if (r.config) {
      // Every LVS block was found (so the check above covered them all).
      const LvsModel& lvs = r.config->lvs;
      EXPECT_EQ(blocks.size(), lvs.groups.size() + lvs.virtualServers.size() + (lvs.ssl ? 1 : 0))
          << file;
      withServices += lvs.virtualServers.empty() ? 0 : 1;
    }
  }
  EXPECT_GE(withServices, 10u);  // the samples with virtual servers loaded whole
}

TEST(LvsSamplesTest, QuorumSample) {
  if (!fs::exists(kSamples / "keepalived.conf.quorum")) {
    GTEST_SKIP() << "keepalived samples absent";
  }
  LoadResult r = loadConfig((kSamples / "keepalived.conf.quorum").string(), LoadOptions{});
  const VirtualServer& vs = lvstest::onlyService(r);
  EXPECT_EQ(vs.scheduler, LvsScheduler::Wrr);
  EXPECT_EQ(vs.persistenceTimeout, 900u);
  EXPECT_EQ(vs.quorum, 7u);
  EXPECT_EQ(vs.hysteresis, 2u);
  EXPECT_TRUE(vs.alpha);
  EXPECT_TRUE(vs.omega);
  ASSERT_TRUE(vs.quorumUp);
  EXPECT_EQ(vs.quorumUp->command, "/usr/local/sbin/quorum-up.sh");
  ASSERT_EQ(vs.realServers.size(), 10u);
  for (const RealServer& rs : vs.realServers) {
    EXPECT_EQ(rs.port, 8080);
    ASSERT_EQ(rs.checkers.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<TcpCheck>(*rs.checkers[0].probe));
    EXPECT_EQ(rs.checkers[0].target.port, 80);
    EXPECT_EQ(rs.checkers[0].base.connectTimeout, 3s);
    EXPECT_EQ(rs.checkers[0].base.delayLoop, 6s);
    EXPECT_TRUE(rs.checkers[0].base.alpha);
  }
}

TEST(LvsSamplesTest, VirtualServerGroupSample) {
  if (!fs::exists(kSamples / "keepalived.conf.virtual_server_group")) {
    GTEST_SKIP() << "keepalived samples absent";
  }
  LoadResult r =
      loadConfig((kSamples / "keepalived.conf.virtual_server_group").string(), LoadOptions{});
  const LvsModel& lvs = lvstest::lvsOf(r);
  ASSERT_EQ(lvs.groups.size(), 1u);
  EXPECT_EQ(lvs.groups[0].entries.size(), 6u);
  const VirtualServer& vs = lvstest::onlyService(r);
  EXPECT_EQ(vs.kind, ServiceKind::Group);
  EXPECT_EQ(vs.realServers.size(), 2u);
}

}  // namespace
}  // namespace vigil::config
