// vrrp_track_process: matching and quorum (pure), and the tracker's
// scanning with fork_delay / terminate_delay on a SimulatedLoop.
#include "vrrp/track_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "core/simulated_loop.h"
#include "vrrp/track_process_monitor.h"

namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::TrackProcess spec(std::vector<std::string> process) {
  config::TrackProcess p;
  p.name = "tp";
  p.process = std::move(process);
  return p;
}

ProcessInfo proc(std::string comm, std::vector<std::string> argv = {}) {
  return ProcessInfo{1, std::move(comm), std::move(argv)};
}

TEST(TrackProcessMatchTest, ANameAloneMatchesTheProcessNameExactly) {
  const auto haproxy = spec({"haproxy"});
  EXPECT_FALSE(needsCommandLine(haproxy));
  EXPECT_TRUE(processMatches(haproxy, proc("haproxy")));
  EXPECT_FALSE(processMatches(haproxy, proc("haproxy2")));
  EXPECT_FALSE(processMatches(spec({"ssh"}), proc("sshd")));  // not a pattern
}

TEST(TrackProcessMatchTest, LongNamesAreComparedAsTheKernelTruncatesThem) {
  EXPECT_TRUE(processMatches(spec({"a-very-long-daemon-name"}), proc("a-very-long-dae")));
  EXPECT_FALSE(processMatches(spec({"a-very-long-daemon-name"}), proc("a-very-long-da")));
}

TEST(TrackProcessMatchTest, ParametersMatchExactlyPartiallyOrInitially) {
  const std::vector<std::string> argv = {"/usr/sbin/nginx", "-c", "/etc/nginx/main.conf", "-g"};
  auto exact = spec({"/usr/sbin/nginx", "-c", "/etc/nginx/main.conf", "-g"});
  EXPECT_TRUE(needsCommandLine(exact));
  EXPECT_TRUE(processMatches(exact, proc("nginx", argv)));
  auto fewer = spec({"/usr/sbin/nginx", "-c", "/etc/nginx/main.conf"});
  EXPECT_FALSE(processMatches(fewer, proc("nginx", argv)));
  fewer.paramMatch = config::ProcessParamMatch::Partial;
  EXPECT_TRUE(processMatches(fewer, proc("nginx", argv)));
  auto start = spec({"/usr/sbin/nginx", "-c", "/etc/nginx/ma"});
  start.paramMatch = config::ProcessParamMatch::Partial;
  EXPECT_FALSE(processMatches(start, proc("nginx", argv)));
  start.paramMatch = config::ProcessParamMatch::Initial;
  EXPECT_TRUE(processMatches(start, proc("nginx", argv)));
  EXPECT_FALSE(processMatches(exact, proc("nginx", {"/usr/bin/nginx", "-c"})));
}

TEST(TrackProcessMatchTest, ParamMatchWithoutParametersWantsNone) {
  auto bare = spec({"/usr/bin/sleep"});
  bare.paramMatchSet = true;
  EXPECT_TRUE(processMatches(bare, proc("sleep", {"/usr/bin/sleep"})));
  EXPECT_FALSE(processMatches(bare, proc("sleep", {"/usr/bin/sleep", "10"})));
  auto full = spec({"/usr/bin/sleep"});
  full.fullCommand = true;  // the command, any parameters
  EXPECT_TRUE(processMatches(full, proc("sleep", {"/usr/bin/sleep", "10"})));
  EXPECT_FALSE(processMatches(full, proc("sleep", {"sleep", "10"})));
  EXPECT_FALSE(processMatches(full, proc("sleep")));  // kernel thread: no cmdline
}

TEST(TrackProcessMatchTest, QuorumIsAMinimumAndAnOptionalMaximum) {
  auto p = spec({"x"});
  p.quorum = 2;
  EXPECT_FALSE(quorumMet(p, 1));
  EXPECT_TRUE(quorumMet(p, 2));
  EXPECT_TRUE(quorumMet(p, 9));
  p.quorumMax = 3;
  EXPECT_FALSE(quorumMet(p, 4));
  auto absent = spec({"x"});  // quorum 0, quorum_max 0: up while none runs
  absent.quorum = 0;
  absent.quorumMax = 0;
  EXPECT_TRUE(quorumMet(absent, 0));
  EXPECT_FALSE(quorumMet(absent, 1));
}

class FakeProcessTable final : public ProcessTable {
 public:
  std::vector<ProcessInfo> list(bool commandLines) override {
    askedForCommandLines = commandLines;
    return processes;
  }
  void run(const std::string& comm, int copies = 1) {
    for (int i = 0; i < copies; ++i) processes.push_back(proc(comm));
  }
  std::vector<ProcessInfo> processes;
  bool askedForCommandLines = false;
};

class ProcessTrackerTest : public ::testing::Test {
 protected:
  void start(config::TrackProcess p) {
    p.name = "web";
    tracker = std::make_unique<ProcessTracker>(
        loop, table, std::vector<config::TrackProcess>{p}, seconds(1),
        [this](const std::string& name, bool up) { reports.emplace_back(name, up); });
    tracker->start();
  }
  std::vector<std::pair<std::string, bool>> reports;
  SimulatedLoop loop;
  FakeProcessTable table;
  std::unique_ptr<ProcessTracker> tracker;
};

TEST_F(ProcessTrackerTest, TheFirstScanIsReportedAtOnceAndChangesAtTheNextScan) {
  start(spec({"nginx"}));
  EXPECT_EQ(reports, (std::vector<std::pair<std::string, bool>>{{"web", false}}));
  EXPECT_FALSE(table.askedForCommandLines);
  table.run("nginx");
  loop.advance(milliseconds(999));
  EXPECT_EQ(reports.size(), 1u);
  loop.advance(milliseconds(1));
  EXPECT_EQ(reports.back(), (std::pair<std::string, bool>{"web", true}));
  EXPECT_EQ(tracker->up("web"), true);
  EXPECT_EQ(tracker->up("other"), std::nullopt);
}

TEST_F(ProcessTrackerTest, TerminateDelayRidesOutARestart) {
  auto p = spec({"nginx"});
  p.terminateDelay = seconds(3);
  table.run("nginx");
  start(p);
  table.processes.clear();
  loop.advance(seconds(2));  // seen gone at 1 s, still up
  table.run("nginx");
  loop.advance(seconds(5));
  EXPECT_EQ(reports, (std::vector<std::pair<std::string, bool>>{{"web", true}}));
  table.processes.clear();
  loop.advance(seconds(1));  // seen gone at 8 s
  loop.advance(milliseconds(2999));
  EXPECT_EQ(reports.size(), 1u);
  loop.advance(milliseconds(1));
  EXPECT_EQ(reports.back(), (std::pair<std::string, bool>{"web", false}));
}

TEST_F(ProcessTrackerTest, ForkDelayHoldsOffTheQuorumAndQuorumMaxCountsForks) {
  auto p = spec({"worker"});
  p.quorum = 2;
  p.quorumMax = 2;
  p.forkDelay = seconds(2);
  table.run("worker");
  start(p);
  table.run("worker");
  loop.advance(seconds(2));  // quorum seen at 1 s, reported at 3 s
  EXPECT_EQ(reports.back(), (std::pair<std::string, bool>{"web", false}));
  loop.advance(seconds(1));
  EXPECT_EQ(reports.back(), (std::pair<std::string, bool>{"web", true}));
  table.run("worker");  // three: above quorum_max, no terminate_delay
  loop.advance(seconds(1));
  EXPECT_EQ(reports.back(), (std::pair<std::string, bool>{"web", false}));
}

TEST(ProcProcessTableTest, FindsThisProcessWithItsCommandLine) {
  ProcProcessTable table;
  const auto processes = table.list(true);
  auto self = std::find_if(processes.begin(), processes.end(),
                           [](const ProcessInfo& p) { return p.pid == ::getpid(); });
  ASSERT_NE(self, processes.end());
  EXPECT_FALSE(self->comm.empty());
  EXPECT_NE(self->comm.back(), '\n');
  ASSERT_FALSE(self->argv.empty());
  EXPECT_NE(self->argv[0].find("unit_tests"), std::string::npos);
}

}  // namespace
}  // namespace vigil::vrrp
