#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/vigilctl/control_format.h"

// `vigilctl ipvs -Lnc [--json]` when vigild has, or has not, a connection
// table: what goes to stdout and stderr, and the exit status doc/vigilctl.md
// promises.
namespace vigil::cli {
namespace {

using nlohmann::json;

json oneConnection() {
  return json::parse(R"({"available": true, "connections": [
    {"protocol": "TCP", "source_address": "192.168.0.5", "source_port": 40000,
     "virtual_address": "10.0.0.1", "virtual_port": 80, "destination_address": "10.0.0.2",
     "destination_port": 80, "state": "ESTABLISHED", "expires_seconds": 61}]})");
}

TEST(VigilctlIpvsConnectionsTest, JsonWithoutATableSaysUnavailableWithAReason) {
  const CommandOutput output = ipvsConnectionsOutput(json{{"available", false}}, true);
  EXPECT_EQ(output.exitCode, 1);
  EXPECT_EQ(output.err, "");
  const json printed = json::parse(output.out);
  EXPECT_EQ(printed["available"], false);
  ASSERT_TRUE(printed["reason"].is_string());
  EXPECT_NE(printed["reason"].get<std::string>().find("/proc/net/ip_vs_conn"), std::string::npos);
  EXPECT_EQ(printed["connections"], json::array());
}

TEST(VigilctlIpvsConnectionsTest, VigildsOwnReasonIsKept) {
  const json reply = {{"available", false}, {"reason", "dataplane none"}};
  EXPECT_EQ(ipvsConnectionsView(reply)["reason"], "dataplane none");
  const CommandOutput text = ipvsConnectionsOutput(reply, false);
  EXPECT_EQ(text.err, "vigilctl ipvs: no IPVS connection table: dataplane none\n");
}

TEST(VigilctlIpvsConnectionsTest, TextWithoutATableIsOneLineOnStderr) {
  const CommandOutput output = ipvsConnectionsOutput(json{{"available", false}}, false);
  EXPECT_EQ(output.exitCode, 1);
  EXPECT_EQ(output.out, "");
  EXPECT_EQ(output.err.rfind("vigilctl ipvs: no IPVS connection table: ", 0), 0u) << output.err;
  EXPECT_EQ(output.err.find('\n'), output.err.size() - 1) << output.err;
}

TEST(VigilctlIpvsConnectionsTest, AnAnswerThatIsNotAnObjectCountsAsNoTable) {
  const CommandOutput output = ipvsConnectionsOutput(json("garbage"), true);
  EXPECT_EQ(output.exitCode, 1);
  EXPECT_EQ(json::parse(output.out)["available"], false);
}

TEST(VigilctlIpvsConnectionsTest, ATableIsPrintedAsIsAndExitsZero) {
  const CommandOutput asJson = ipvsConnectionsOutput(oneConnection(), true);
  EXPECT_EQ(asJson.exitCode, 0);
  EXPECT_EQ(json::parse(asJson.out), oneConnection());
  const CommandOutput text = ipvsConnectionsOutput(oneConnection(), false);
  EXPECT_EQ(text.exitCode, 0);
  EXPECT_EQ(text.err, "");
  EXPECT_NE(text.out.find("TCP 01:01  ESTABLISHED 192.168.0.5:40000"), std::string::npos)
      << text.out;
}

}  // namespace
}  // namespace vigil::cli
