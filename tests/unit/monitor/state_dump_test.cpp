#include "monitor/state_dump.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/scoped_umask.h"

namespace vigil::monitor {
namespace {

using std::chrono::seconds;

MonitorView view() {
  MonitorView v;
  v.generation = 4;
  v.configPath = "/etc/vigil.conf";
  v.now = TimePoint{seconds(100)};
  v.wallNowSeconds = 0;
  v.snapshotInterval = seconds(1);
  WorkerStatus vrrp;
  vrrp.name = "vrrp";
  vrrp.running = true;
  vrrp.pid = 41;
  vrrp.startedAt = TimePoint{seconds(1)};
  vrrp.lastHeard = TimePoint{seconds(99)};
  vrrp.lastSnapshotAt = vrrp.lastHeard;
  vrrp.lastSnapshot =
      R"({"worker":"vrrp","generation":4,"instances":[{"name":"VI_1","state":"MASTER",)"
      R"("priority":100,"counters":{"adverts_sent":12,"rejected":{"bad_ttl":2}}}]})";
  WorkerStatus check = vrrp;
  check.name = "check";
  check.pid = 42;
  check.lastSnapshot =
      R"({"worker":"check","generation":4,"virtual_servers":[{"name":"[10.0.0.1]:tcp:80",)"
      R"("quorum_up":1,"real_servers":[{"address":"192.0.2.5","port":80,"up":1,"weight":2,)"
      R"("checkers":[{"type":"TCP_CHECK","attempts":9,"outcomes":{"up":8,"timeout":1}}]}]}]})";
  v.workers = {vrrp, check};
  return v;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(StateDump, DataListsWorkersInstancesAndRealServers) {
  const std::string data = renderDataDump(view());
  EXPECT_TRUE(contains(data, "vigil data at 1970-01-01T00:00:00Z\n")) << data;
  EXPECT_TRUE(contains(data, "configuration /etc/vigil.conf generation 4\n")) << data;
  EXPECT_TRUE(contains(data, "health: ok\n")) << data;
  EXPECT_TRUE(contains(data, "vrrp worker: pid 41, 0 restarts, heard from 1.0 s ago\n")) << data;
  EXPECT_TRUE(contains(data,
                       " VRRP instance VI_1\n  name = VI_1\n  priority = 100\n"
                       "  state = MASTER\n"))
      << data;
  EXPECT_TRUE(contains(data, " Virtual server [10.0.0.1]:tcp:80\n")) << data;
  EXPECT_TRUE(contains(data, "  Real server 192.0.2.5:80\n")) << data;
  EXPECT_TRUE(contains(data, "   weight = 2\n")) << data;
  EXPECT_FALSE(contains(data, "adverts_sent")) << "counters belong to the stats dump";
}

TEST(StateDump, DataNamesAWorkerThatIsDown) {
  MonitorView v = view();
  v.workers[1].running = false;
  v.workers[1].restarts = 3;
  const std::string data = renderDataDump(v);
  EXPECT_TRUE(contains(data, "health: unhealthy\n check worker: not running\n")) << data;
  EXPECT_TRUE(contains(data, "check worker: not running, 3 restarts\n")) << data;
  EXPECT_FALSE(contains(data, "Virtual server")) << data;
}

TEST(StateDump, StatsFlattenCounters) {
  const std::string stats = renderStatsDump(view());
  EXPECT_TRUE(contains(stats, "vigil stats at ")) << stats;
  EXPECT_TRUE(contains(stats, " VRRP instance VI_1\n  adverts_sent = 12\n  rejected.bad_ttl = 2\n"))
      << stats;
  EXPECT_TRUE(contains(stats, " Real server 192.0.2.5:80 of [10.0.0.1]:tcp:80\n")) << stats;
  EXPECT_TRUE(contains(stats, "  TCP_CHECK.attempts = 9\n")) << stats;
  EXPECT_TRUE(contains(stats, "  TCP_CHECK.outcomes.timeout = 1\n")) << stats;
}

class DumpWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("h10-state-dump-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path dir_;
};

TEST_F(DumpWrite, ReplacesTheFileAndLeavesNoTemporary) {
  const auto path = dir_ / "vigil.data";
  ASSERT_TRUE(writeStateDump(path, "first\n").ok());
  ASSERT_TRUE(writeStateDump(path, "second\n").ok());
  EXPECT_EQ(read(path), "second\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(DumpWrite, ReplacesASymlinkInsteadOfWritingThroughIt) {
  const auto victim = dir_ / "victim";
  { std::ofstream(victim) << "keep\n"; }
  const auto path = dir_ / "vigil.stats";
  std::filesystem::create_symlink(victim, path);
  ASSERT_TRUE(writeStateDump(path, "dump\n").ok());
  EXPECT_EQ(read(victim), "keep\n");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_EQ(read(path), "dump\n");
}

// An operator reads the dump without root, as keepalived's: 0644 less the
// umask, so a stricter umask still narrows it.
TEST_F(DumpWrite, TheDumpIsReadableByAllUnlessTheUmaskSaysOtherwise) {
  const auto path = dir_ / "vigil.data";
  for (const mode_t mask : {022u, 027u}) {
    test::ScopedUmask scoped(mask);
    ASSERT_TRUE(writeStateDump(path, "dump\n").ok());
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u & ~mask) << std::oct << mask;
  }
}

TEST_F(DumpWrite, FailsInADirectoryThatDoesNotExist) {
  EXPECT_FALSE(writeStateDump(dir_ / "missing" / "vigil.data", "x").ok());
}

}  // namespace
}  // namespace vigil::monitor
