#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
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

namespace fs = std::filesystem;
using std::chrono::seconds;

const std::string kInstanceTable = ".1.3.6.1.4.1.9586.100.5.2.3";
const std::string kRealServerTable = ".1.3.6.1.4.1.9586.100.5.3.4";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SnmpAgentxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    if (runCommand("command -v snmpd && command -v snmpwalk").exitCode != 0) {
      GTEST_SKIP() << "snmpd/snmpwalk not installed (scripts/deps.sh installs them)";
    }
    ns_ = std::make_unique<NetNs>("h9snmp");
    ASSERT_TRUE(ns_->ok());
    ASSERT_EQ(ns_->exec("ip link set lo up && ip link add h9a type veth peer name h9b && "
                        "ip link set h9a up && ip link set h9b up && "
                        "ip addr add 192.168.91.1/24 dev h9a")
                  .exitCode,
              0);
    dir_ = fs::temp_directory_path() / ("h9-snmp-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    socket_ = (dir_ / "agentx").string();
    std::ofstream(dir_ / "snmpd.conf") << "master agentx\n"
                                          "agentXSocket unix:"
                                       << socket_
                                       << "\n"
                                          "agentaddress udp:127.0.0.1:1161,tcp:127.0.0.1:1161\n"
                                          "rocommunity public 127.0.0.1\n";
    std::ofstream(dir_ / "vigil.conf") << "global_defs {\n"
                                          "  router_id h9lab\n"
                                          "  enable_snmp_vrrp\n"
                                          "  enable_snmp_checker\n"
                                          "  snmp_socket unix:"
                                       << socket_
                                       << "\n"
                                          "  dataplane none\n"
                                          "  metrics_listen off\n"
                                          "}\n"
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
                                          "}\n";
  }

  void TearDown() override {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    ns_.reset();
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // Runs argv inside the namespace (`ip netns exec` execs it, so the pid
  // is the program's), output to `log`.
  void spawn(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<std::string> full = {"/usr/bin/ip", "netns", "exec", ns_->name()};
    full.insert(full.end(), argv.begin(), argv.end());
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      std::vector<char*> args;
      for (std::string& a : full) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pids_.push_back(pid);
  }

  std::string walk(const std::string& oid) {
    return ns_->exec("snmpwalk -On -v2c -c public -t 1 -r 0 udp:127.0.0.1:1161 " + oid).output;
  }

  std::unique_ptr<NetNs> ns_;
  fs::path dir_;
  std::string socket_;
  std::vector<pid_t> pids_;
};

TEST_F(SnmpAgentxTest, WalksInstanceAndRealServerTables) {
  const std::string d = dir_.string();
  spawn({vigild(), "-n", "-l", "-f", d + "/vigil.conf", "-p", d + "/vigild.pid", "-c",
         d + "/check.pid", "-r", d + "/vrrp.pid"},
        dir_ / "vigild.log");
  // VRRP does not wait for the absent master.
  auto master = waitFor(std::chrono::milliseconds(10000), [&] {
    return ns_->exec("ip -4 addr show dev h9a").output.find("192.168.91.100") != std::string::npos;
  });
  ASSERT_TRUE(master) << readFile(dir_ / "vigild.log");

  spawn({"/usr/sbin/snmpd", "-f", "-C", "-c", d + "/snmpd.conf", "-Lf", d + "/snmpd.log", "-p",
         d + "/snmpd.pid"},
        dir_ / "snmpd.out");
  // The subagent retries every 5 s (its AgentX ping interval).
  const std::string stateMaster = kInstanceTable + ".1.4.1 = INTEGER: 2";
  std::string instances;
  auto served = waitFor(std::chrono::milliseconds(15000), [&] {
    instances = walk(kInstanceTable);
    return instances.find(stateMaster) != std::string::npos;
  });
  ASSERT_TRUE(served) << instances << "\nvigild:\n"
                      << readFile(dir_ / "vigild.log") << "\nsnmpd:\n"
                      << readFile(dir_ / "snmpd.log");
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
