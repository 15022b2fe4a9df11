#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// global_defs' vrrp_rt_priority and checker_priority reach the worker
// processes (issue 3): the kernel's view of each worker, /proc/PID/stat,
// shows SCHED_RR at priority 10 for VRRP and nice -5 for the checkers.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

// Fields of /proc/PID/stat after the command name: index 0 is field 3
// (state), so field N of proc(5) is at N - 3.
std::vector<std::string> statFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}
std::string statField(pid_t pid, size_t field) {
  auto fields = statFields(pid);
  return fields.size() > field - 3 ? fields[field - 3] : "";
}
constexpr size_t kNice = 19, kRtPriority = 40, kPolicy = 41;  // proc(5)
constexpr int kSchedRr = 2;

class WorkerSchedulingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces and SCHED_RR";
    ASSERT_TRUE(ns_.ok());
    ASSERT_TRUE(plugLonelyEth0(ns_, "10.71.0.1/24"));
    char pattern[] = "/tmp/vigil-h11sched-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ + "/vigild.conf")
        << "global_defs {\n  vrrp_rt_priority 10\n  checker_priority -5\n}\n"
           "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 71\n  version 3\n  "
           "priority 150\n"
           "  advert_int 0.2\n  virtual_ipaddress {\n    10.71.0.100/24\n  }\n}\n"
           "virtual_server 10.71.0.100 80 {\n  delay_loop 0.5\n  lb_kind NAT\n  protocol TCP\n"
           "  real_server 10.71.0.2 80 {\n  }\n}\n";
  }
  void TearDown() override {
    vigild_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  pid_t pidIn(const std::string& file) const {
    std::ifstream in(dir_ + "/" + file);
    pid_t pid = 0;
    return (in >> pid) ? pid : 0;
  }

  NetNs ns_{"h11sch"};
  std::string dir_;
  std::unique_ptr<NsProcess> vigild_;
};

TEST_F(WorkerSchedulingTest, WorkersRunWithTheirConfiguredScheduling) {
  vigild_ = std::make_unique<NsProcess>(
      ns_, dir_ + "/vigild.log",
      std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f",
                               dir_ + "/vigild.conf", "-i", ns_.name(), "-p", dir_ + "/vigild.pid",
                               "-r", dir_ + "/vrrp.pid", "-c", dir_ + "/check.pid"});
  ASSERT_TRUE(vigild_->start());
  // A pid file may appear before its worker has made its calls: wait for
  // the kernel to show them, bounded.
  const bool applied = waitFor(15s, [&] {
                         return statField(pidIn("vrrp.pid"), kPolicy) == std::to_string(kSchedRr) &&
                                statField(pidIn("check.pid"), kNice) == "-5";
                       }).has_value();
  EXPECT_TRUE(applied) << vigild_->log();
  const pid_t vrrp = pidIn("vrrp.pid");
  const pid_t check = pidIn("check.pid");
  ASSERT_GT(vrrp, 0);
  ASSERT_GT(check, 0);

  EXPECT_EQ(statField(vrrp, kPolicy), std::to_string(kSchedRr)) << vigild_->log();
  EXPECT_EQ(statField(vrrp, kRtPriority), "10");
  EXPECT_EQ(statField(check, kNice), "-5") << vigild_->log();
  EXPECT_EQ(statField(check, kPolicy), "0");                // SCHED_OTHER: no realtime by default
  EXPECT_EQ(statField(pidIn("vigild.pid"), kPolicy), "0");  // the supervisor is left alone
}

}  // namespace
}  // namespace vigil::test
