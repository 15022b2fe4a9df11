#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// The supervisor's AgentX subagent connects to snmpd after the first workers
// are forked; a worker the supervisor respawns later must not carry that
// connection (nor any socket on the master's path). The test finds the
// sockets that belong to the AgentX path (bound to it in /proc/net/unix, or
// peers of those per `ss -x`), checks that the supervisor holds one (so the
// check can fail), kills each worker, and reads /proc/PID/fd of its
// replacement.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const std::string kInstanceTable = ".1.3.6.1.4.1.9586.100.5.2.3";

pid_t readPid(const fs::path& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Inodes of the sockets a process holds ("socket:[N]" links in /proc/PID/fd).
std::set<unsigned long> socketInodes(pid_t pid) {
  std::set<unsigned long> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code linkError;
    const std::string target = fs::read_symlink(entry.path(), linkError).string();
    if (linkError || target.rfind("socket:[", 0) != 0) continue;
    out.insert(std::stoul(target.substr(8)));
  }
  return out;
}

class SnmpFdInheritanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    if (runCommand("command -v snmpd && command -v snmpwalk && command -v ss").exitCode != 0) {
      GTEST_SKIP() << "snmpd/snmpwalk/ss not installed (scripts/deps.sh installs them)";
    }
    lab_ = std::make_unique<VigildLab>("h7snmpfd", "h7-snmpfd");
    ASSERT_TRUE(lab_->ok());
    ASSERT_TRUE(lab_->plugVeth("h7a", "h7b", "192.168.97.1/24"));
    socket_ = lab_->path("agentx");
    lab_->write("snmpd.conf", snmpdMasterConf(socket_, "udp:127.0.0.1:1161"));
    lab_->write("vigil.conf", snmpGlobalDefs("h7lab", socket_) +
                                  "vrrp_instance VI_H7 {\n"
                                  "  state MASTER\n"
                                  "  interface h7a\n"
                                  "  virtual_router_id 97\n"
                                  "  priority 200\n"
                                  "  version 3\n"
                                  "  advert_int 0.1\n"
                                  "  virtual_ipaddress {\n"
                                  "    192.168.97.100/24\n"
                                  "  }\n"
                                  "}\n"
                                  "virtual_server 192.168.97.100 80 {\n"
                                  "  delay_loop 0.5\n"
                                  "  protocol TCP\n"
                                  "  real_server 127.0.0.1 1 {\n"
                                  "    TCP_CHECK {\n"
                                  "      connect_timeout 0.5\n"
                                  "    }\n"
                                  "  }\n"
                                  "}\n");
  }

  // Every socket inode on the AgentX path in the namespace: those bound to
  // it (snmpd's listener and its accepted ends) and their peers (the
  // subagent's unnamed connecting end).
  std::set<unsigned long> agentxInodes() const {
    std::set<unsigned long> out;
    std::istringstream unixTable(lab_->ns().exec("cat /proc/net/unix").output);
    std::string line;
    while (std::getline(unixTable, line)) {
      std::istringstream fields(line);
      std::vector<std::string> f;
      for (std::string w; fields >> w;) f.push_back(w);
      if (f.size() >= 8 && f[7] == socket_) out.insert(std::stoul(f[6]));
    }
    // ss -x: Netid State Recv-Q Send-Q LocalPath LocalInode PeerPath PeerInode
    // (read from the end: a path may hold spaces)
    std::istringstream pairs(lab_->ns().exec("ss -xanH").output);
    while (std::getline(pairs, line)) {
      std::istringstream fields(line);
      std::vector<std::string> f;
      for (std::string w; fields >> w;) f.push_back(w);
      if (f.size() < 8) continue;
      const unsigned long local = std::stoul(f[f.size() - 3]);
      const unsigned long peer = std::stoul(f[f.size() - 1]);
      if (out.count(local) != 0 && peer != 0) out.insert(peer);
    }
    return out;
  }

  std::string describe() const {
    return lab_->describe({"vigild.log", "snmpd.log"}) + "\nss:\n" +
           lab_->ns().exec("ss -xanp").output;
  }

  std::unique_ptr<VigildLab> lab_;
  std::string socket_;
};

TEST_F(SnmpFdInheritanceTest, RespawnedWorkersHoldNoAgentxSocket) {
  lab_->spawnSnmpd();
  ASSERT_TRUE(waitFor(milliseconds(10000), [&] { return fs::exists(socket_); })) << describe();
  lab_->spawnVigild();

  // Registered: the walk reaches vigild's instance table through snmpd.
  auto registered = waitFor(milliseconds(15000), [&] {
    return lab_->ns()
               .exec("snmpwalk -On -v2c -c public -t 1 -r 0 udp:127.0.0.1:1161 " + kInstanceTable)
               .output.find("VI_H7") != std::string::npos;
  });
  ASSERT_TRUE(registered) << describe();

  const pid_t supervisor = readPid(lab_->path("vigild.pid"));
  ASSERT_GT(supervisor, 0);
  std::set<unsigned long> agentx = agentxInodes();
  bool supervisorHoldsOne = false;
  for (unsigned long inode : socketInodes(supervisor)) supervisorHoldsOne |= agentx.count(inode);
  ASSERT_TRUE(supervisorHoldsOne) << "the subagent's connection was not found\n" << describe();

  for (const std::string worker : {"vrrp", "check"}) {
    const std::string pidFile = lab_->path(worker + ".pid");
    pid_t old = 0;
    ASSERT_TRUE(waitFor(milliseconds(10000), [&] { return (old = readPid(pidFile)) > 0; }))
        << worker << "\n"
        << describe();
    ASSERT_NE(old, supervisor) << worker << " runs inside the supervisor\n" << describe();
    ASSERT_EQ(::kill(old, SIGKILL), 0) << worker;
    // The title is set after the child closed what it inherited.
    pid_t fresh = 0;
    auto respawned = waitFor(milliseconds(15000), [&] {
      fresh = readPid(pidFile);
      return fresh > 0 && fresh != old &&
             fileText("/proc/" + std::to_string(fresh) + "/comm") == "vigil-" + worker + "\n";
    });
    ASSERT_TRUE(respawned) << worker << "\n" << describe();

    agentx = agentxInodes();
    const std::set<unsigned long> held = socketInodes(fresh);
    EXPECT_FALSE(held.empty()) << worker << " holds no socket at all: its channel is missing";
    for (unsigned long inode : held) {
      EXPECT_EQ(agentx.count(inode), 0u)
          << worker << " worker " << fresh << " holds AgentX socket " << inode << "\n"
          << describe();
    }
  }
}

}  // namespace
}  // namespace vigil::test
