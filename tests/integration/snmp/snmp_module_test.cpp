#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/vigild/module_loader.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// vigild with SNMP enabled but no usable vigil-snmp.so beside it (doc/snmp.md,
// "The SNMP module"): missing, or from another build. The supervisor logs
// once why, naming the path, SNMP stays off, and VRRP runs on, through a
// reload too. vigild is copied into the lab's sbin/, so the module is looked
// for at sbin/vigil-snmp.so and lib/vigil/vigil-snmp.so there.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class SnmpModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    ASSERT_TRUE(lab_.ok());
    ASSERT_TRUE(lab_.plugVeth("h1sm0", "h1sm1", "10.73.0.1/24"));
    std::filesystem::create_directories(lab_.path("sbin"));
    std::filesystem::copy_file(vigild(), sbin("vigild"));
    lab_.write("vigil.conf", snmpGlobalDefs("h1lab", lab_.path("agentx")) +
                                 "vrrp_instance VI_1 {\n  interface h1sm0\n  virtual_router_id 73\n"
                                 "  version 3\n  state MASTER\n  priority 150\n  advert_int 0.1\n"
                                 "  virtual_ipaddress {\n    10.73.0.100/24\n  }\n}\n");
  }

  std::string sbin(const std::string& name) const { return lab_.path("sbin/" + name); }

  pid_t spawnCopiedVigild() {
    return lab_.spawn(
        {sbin("vigild"), "-n", "-l", "-f", lab_.path("vigil.conf"), "-p", lab_.path("vigild.pid"),
         "-c", lab_.path("check.pid"), "-r", lab_.path("vrrp.pid")},
        "vigild.log");
  }

  bool master() const {
    return lab_.ns().exec("ip -4 addr show dev h1sm0").output.find("10.73.0.100") !=
           std::string::npos;
  }

  // Starts the copied vigild, waits for VRRP to be master and for the
  // supervisor to log `reason`, reloads it, and checks that the reason was
  // logged once and VRRP still runs.
  void expectLoggedOnceAndVrrpRunsOn(const std::string& reason) {
    daemon_ = spawnCopiedVigild();
    ASSERT_GT(daemon_, 0);
    ASSERT_TRUE(waitFor(15s, [&] { return master(); })) << logs();
    ASSERT_TRUE(waitFor(15s, [&] {
      return lab_.read("vigild.log").find(reason) != std::string::npos;
    })) << logs();
    ASSERT_EQ(::kill(daemon_, SIGHUP), 0);
    ASSERT_TRUE(waitFor(15s, [&] {
      return lab_.read("vigild.log").find("reload accepted") != std::string::npos;
    })) << logs();
    const std::string log = lab_.read("vigild.log");
    EXPECT_EQ(occurrences(log, reason), 1u) << log;
    EXPECT_EQ(occurrences(log, "snmp: the AgentX subagent cannot start"), 1u) << log;
    EXPECT_TRUE(master()) << logs();
  }

  std::string logs() const { return lab_.describe({"vigild.log"}); }

  VigildLab lab_{"h1snmpmod", "h1-snmp-module"};
  pid_t daemon_ = 0;
};

TEST_F(SnmpModuleTest, AMissingModuleIsLoggedOnceWithItsPathAndVrrpRunsOn) {
  expectLoggedOnceAndVrrpRunsOn("vigil-snmp.so is neither at " + sbin("vigil-snmp.so") +
                                " nor at " + lab_.path("lib/vigil/vigil-snmp.so"));
  const std::string maps = fileText("/proc/" + std::to_string(daemon_) + "/maps");
  ASSERT_NE(maps.find("libc.so"), std::string::npos);  // the maps were read
  EXPECT_EQ(maps.find("libnetsnmp"), std::string::npos) << maps;
}

// The module of this build with its build id changed: what a vigil-snmp.so
// left from another build looks like to the loader.
TEST_F(SnmpModuleTest, AModuleFromAnotherBuildIsLoggedOnceWithItsPathAndVrrpRunsOn) {
  std::ifstream in(std::string(VIGIL_BIN_DIR) + "/vigil-snmp.so", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string module = bytes.str();
  const std::string ours = cli::moduleBuild();
  const std::string other(ours.size(), ours[0] == 'f' ? '0' : 'f');
  ASSERT_EQ(occurrences(module, ours), 1u);
  module.replace(module.find(ours), ours.size(), other);
  std::ofstream(sbin("vigil-snmp.so"), std::ios::binary) << module;

  expectLoggedOnceAndVrrpRunsOn(sbin("vigil-snmp.so") + " is from build " + other +
                                ", this vigild from build " + ours);
}

}  // namespace
}  // namespace vigil::test
