#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// vigild's AgentX subagent against Debian's snmpd as the master, both in a
// namespace of their own (snmpd answers on 127.0.0.1:1161 there, so nothing
// can clash). vigild starts first: VRRP must not wait for the master, and
// the subagent must register once snmpd comes up. Then snmpwalk must show
// the instance MASTER in vrrpInstanceTable and the checked real server in
// realServerTable (numeric OIDs: Debian ships KEEPALIVED-MIB but not the
// IETF MIBs it imports).
namespace vigil::test {
namespace {

const std::string kInstanceTable = ".1.3.6.1.4.1.9586.100.5.2.3";
const std::string kRealServerTable = ".1.3.6.1.4.1.9586.100.5.3.4";

class SnmpAgentxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    if (runCommand("command -v snmpd && command -v snmpwalk").exitCode != 0) {
      GTEST_SKIP() << "snmpd/snmpwalk not installed (scripts/deps.sh installs them)";
    }
    lab_ = std::make_unique<VigildLab>("h9snmp", "h9-snmp");
    ASSERT_TRUE(lab_->ok());
    ASSERT_TRUE(lab_->plugVeth("h9a", "h9b", "192.168.91.1/24"));
    socket_ = lab_->path("agentx");
    lab_->write("snmpd.conf", snmpdMasterConf(socket_, "udp:127.0.0.1:1161,tcp:127.0.0.1:1161"));
    lab_->write("vigil.conf", snmpGlobalDefs("h9lab", socket_) +
                                  "vrrp_instance VI_H9 {\n"
                                  "  state MASTER\n"
                                  "  interface h9a\n"
                                  "  virtual_router_id 91\n"
                                  "  priority 200\n"
                                  "  version 3\n"
                                  "  advert_int 0.1\n"
                                  "  virtual_ipaddress {\n"
                                  "    192.168.91.100/24\n"
                                  "  }\n"
                                  "}\n"
                                  "virtual_server 192.168.91.100 80 {\n"
                                  "  delay_loop 0.2\n"
                                  "  protocol TCP\n"
                                  // snmpd's own TCP port is the checked server.
                                  "  real_server 127.0.0.1 1161 {\n"
                                  "    TCP_CHECK {\n"
                                  "      connect_timeout 0.5\n"
                                  "    }\n"
                                  "  }\n"
                                  "}\n");
  }

  std::string walk(const std::string& oid) {
    return lab_->ns()
        .exec("snmpwalk -On -v2c -c public -t 1 -r 0 udp:127.0.0.1:1161 " + oid)
        .output;
  }

  std::unique_ptr<VigildLab> lab_;
  std::string socket_;
};

TEST_F(SnmpAgentxTest, WalksInstanceAndRealServerTables) {
  lab_->spawnVigild();
  // VRRP does not wait for the absent master.
  auto master = waitFor(std::chrono::milliseconds(10000), [&] {
    return lab_->ns().exec("ip -4 addr show dev h9a").output.find("192.168.91.100") !=
           std::string::npos;
  });
  ASSERT_TRUE(master) << lab_->describe({"vigild.log"});

  lab_->spawnSnmpd();
  // The subagent retries every 5 s (its AgentX ping interval).
  const std::string stateMaster = kInstanceTable + ".1.4.1 = INTEGER: 2";
  std::string instances;
  auto served = waitFor(std::chrono::milliseconds(15000), [&] {
    instances = walk(kInstanceTable);
    return instances.find(stateMaster) != std::string::npos;
  });
  ASSERT_TRUE(served) << instances << lab_->describe({"vigild.log", "snmpd.log"});
  EXPECT_NE(instances.find(kInstanceTable + ".1.2.1 = STRING: \"VI_H9\""), std::string::npos)
      << instances;
  EXPECT_NE(instances.find(kInstanceTable + ".1.3.1 = Gauge32: 91"), std::string::npos)
      << instances;

  // The real server row, alive(1) once its TCP check passed.
  std::string reals;
  auto alive = waitFor(std::chrono::milliseconds(10000), [&] {
    reals = walk(kRealServerTable);
    return reals.find(kRealServerTable + ".1.6.1.1 = INTEGER: 1") != std::string::npos;
  });
  EXPECT_TRUE(alive) << reals;
  EXPECT_NE(reals.find(kRealServerTable + ".1.4.1.1 = Hex-STRING: 7F 00 00 01"), std::string::npos)
      << reals;
  EXPECT_NE(reals.find(kRealServerTable + ".1.5.1.1 = Gauge32: 1161"), std::string::npos) << reals;
}

}  // namespace
}  // namespace vigil::test
