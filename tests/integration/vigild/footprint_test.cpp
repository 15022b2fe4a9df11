#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// What an idle VRRP-only director is made of (issue 3, doc/benchmarks.md
// "RSS per director"): the supervisor and one VRRP worker, one thread each,
// started without GnuTLS's load-time initialisation, while the scripts they
// run see the operator's environment unchanged.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

// NUL-separated NAME=VALUE entries of /proc/PID/environ: the environment
// the process's program image was started with.
std::vector<std::string> startEnvironment(pid_t pid) {
  std::istringstream text(fileText("/proc/" + std::to_string(pid) + "/environ"));
  std::vector<std::string> entries;
  for (std::string entry; std::getline(text, entry, '\0');) entries.push_back(entry);
  return entries;
}

bool hasEntryStarting(const std::vector<std::string>& entries, const std::string& prefix) {
  for (const std::string& entry : entries) {
    if (entry.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// "Threads:" of /proc/PID/status, or -1.
int threadCount(pid_t pid) {
  std::istringstream text(fileText("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(text, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// The children of `pid` (its main thread's), from /proc.
std::vector<pid_t> childrenOf(pid_t pid) {
  const std::string id = std::to_string(pid);
  std::istringstream text(fileText("/proc/" + id + "/task/" + id + "/children"));
  std::vector<pid_t> children;
  for (pid_t child; text >> child;) children.push_back(child);
  return children;
}

class VigildFootprintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(lab_.ok());
    ASSERT_TRUE(lab_.plugVeth("h2fp0", "h2fp1", "10.72.0.1/24"));
    // The master's notify script records the environment it was given.
    lab_.write("notify.sh", "#!/bin/sh\nenv > " + lab_.path("notify.env.tmp") + " && mv " +
                                lab_.path("notify.env.tmp") + " " + lab_.path("notify.env") + "\n");
    ::chmod(lab_.path("notify.sh").c_str(), 0755);
    // No virtual_server, no SNMP: nothing for a check worker or an agent.
    lab_.write("vigil.conf",
               "global_defs {\n  dataplane none\n  metrics_listen off\n}\n"
               "vrrp_instance VI_1 {\n  interface h2fp0\n  virtual_router_id 72\n"
               "  version 3\n  state MASTER\n  priority 150\n  advert_int 0.1\n"
               "  virtual_ipaddress {\n    10.72.0.100/24\n  }\n"
               "  notify_master " +
                   lab_.path("notify.sh") + "\n}\n");
  }

  pid_t pidIn(const std::string& file) const {
    std::istringstream in(lab_.read(file));
    pid_t pid = 0;
    return (in >> pid) ? pid : 0;
  }

  std::string logs() const { return lab_.describe({"vigild.log"}); }

  VigildLab lab_{"h2fp", "h2-footprint"};
};

TEST_F(VigildFootprintTest, VrrpOnlyDirectorIsSupervisorAndOneSingleThreadedWorker) {
  const pid_t daemon = lab_.spawnVigild();
  ASSERT_GT(daemon, 0);
  ASSERT_TRUE(waitFor(15s, [&] { return std::filesystem::exists(lab_.path("notify.env")); }))
      << logs();
  const pid_t vrrp = pidIn("vrrp.pid");
  ASSERT_GT(vrrp, 0) << logs();
  // Re-executed in place: the pid and the process name do not change.
  EXPECT_EQ(pidIn("vigild.pid"), daemon);
  EXPECT_EQ(fileText("/proc/" + std::to_string(daemon) + "/comm"), "vigild\n");

  EXPECT_EQ(childrenOf(daemon), std::vector<pid_t>{vrrp}) << logs();
  EXPECT_FALSE(std::filesystem::exists(lab_.path("check.pid")));
  EXPECT_EQ(threadCount(daemon), 1);
  EXPECT_EQ(threadCount(vrrp), 1);
}

TEST_F(VigildFootprintTest, StartsWithoutGnutlsInitYetScriptsSeeTheOperatorsEnvironment) {
  const pid_t daemon = lab_.spawnVigild();
  ASSERT_GT(daemon, 0);
  ASSERT_TRUE(waitFor(15s, [&] { return std::filesystem::exists(lab_.path("notify.env")); }))
      << logs();

  // The running image was exec'd with GnuTLS's load-time init switched off.
  EXPECT_TRUE(hasEntryStarting(startEnvironment(daemon), "GNUTLS_NO_IMPLICIT_INIT=1"));
  // What it hands on is what it was given.
  const std::string scriptEnv = lab_.read("notify.env");
  EXPECT_EQ(scriptEnv.find("GNUTLS_NO_IMPLICIT_INIT"), std::string::npos) << scriptEnv;
  EXPECT_EQ(scriptEnv.find("VIGILD_LEAN_RESTART"), std::string::npos) << scriptEnv;
  EXPECT_NE(scriptEnv.find("PATH="), std::string::npos) << scriptEnv;
}

// An operator's own setting wins, and is no reason to restart: with 0,
// GnuTLS initialises at load as it would without vigild's help.
TEST_F(VigildFootprintTest, OperatorsGnutlsSettingIsKeptAndHandedOn) {
  ASSERT_EQ(::setenv("GNUTLS_NO_IMPLICIT_INIT", "0", 1), 0);
  const pid_t daemon = lab_.spawnVigild();
  ::unsetenv("GNUTLS_NO_IMPLICIT_INIT");
  ASSERT_GT(daemon, 0);
  ASSERT_TRUE(waitFor(15s, [&] { return std::filesystem::exists(lab_.path("notify.env")); }))
      << logs();

  EXPECT_TRUE(hasEntryStarting(startEnvironment(daemon), "GNUTLS_NO_IMPLICIT_INIT=0"));
  EXPECT_FALSE(hasEntryStarting(startEnvironment(daemon), "VIGILD_LEAN_RESTART"));
  const std::string scriptEnv = lab_.read("notify.env");
  EXPECT_NE(scriptEnv.find("GNUTLS_NO_IMPLICIT_INIT=0"), std::string::npos) << scriptEnv;
}

}  // namespace
}  // namespace vigil::test
