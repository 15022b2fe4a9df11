// Smoke test of scripts/failover-lab, the operators' failover lab
// (doc/failover-testing.md): its default scenario, a hard failure of the
// master, must move the VIP to the backup and report no errors. The lab
// bounds every wait itself and deletes its namespaces (prefix h14t) on exit;
// `timeout` bounds the whole run in case the script itself hangs.
#include <gtest/gtest.h>

#include <string>

#include "support/netns.h"
#include "support/run_command.h"

namespace vigil::test {
namespace {

TEST(FailoverLabTest, HardFailureMovesTheVipWithoutErrors) {
  if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
  const std::string command =
      "timeout -s INT 60 /usr/bin/python3 " + std::string(VIGIL_SOURCE_DIR) +
      "/scripts/failover-lab --scenario hard --prefix h14t --vigild " + vigild();
  const CommandResult r = runCommand(command);

  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("VIP moved to d2:             yes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("errors:                      0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 scenario(s), 0 error(s)"), std::string::npos) << r.output;
  // The lab cleaned up after itself.
  EXPECT_EQ(runCommand("ip netns list | grep -c '^h14t-'").output, "0\n");
}

}  // namespace
}  // namespace vigil::test
