// Smoke test of scripts/failover-lab, the operators' failover lab
// (doc/failover-testing.md): its default scenario, a hard failure of the
// master, must move the VIP to the backup, keep every one of the client's
// long-lived connections (routed through the VIP gateway: the namespace lab
// has no IPVS, and its report must say so rather than claim connection sync)
// and report no errors. The lab
// bounds every wait itself and deletes its namespaces (prefix h14t) on exit;
// `timeout` bounds the whole run in case the script itself hangs.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"

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
  // Every session survived, with no reset and none lost ...
  EXPECT_TRUE(std::regex_search(
      r.output, std::regex(R"re(\n  sessions kept: +20/20 \(reset 0, lost 0, failed 0;)re")))
      << r.output;
  // ... because plain routing carried them, through d2 after the move
  // (its forwarding counter), and the report claims no IPVS sync.
  std::smatch how;
  ASSERT_TRUE(
      std::regex_search(r.output, how,
                        std::regex(R"re(\n  sessions kept by: +plain routing through the VIP )re"
                                   R"re(gateways .*packets forwarded: d1 [0-9]+, d2 )re"
                                   R"re(([0-9]+)\); no IPVS in namespace mode)re")))
      << r.output;
  EXPECT_GT(std::stol(how[1]), 0) << r.output;
  EXPECT_NE(r.output.find("1 scenario(s), 0 error(s)"), std::string::npos) << r.output;
  // The lab cleaned up after itself.
  EXPECT_EQ(runCommand("ip netns list | grep -c '^h14t-'").output, "0\n");
}

}  // namespace
}  // namespace vigil::test
