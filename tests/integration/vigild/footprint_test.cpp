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
// neither mapping libcurl's dependency chain, which only a check worker with
// HTTP_GET / SSL_GET loads (the HTTP module, doc/checkers.md), nor net-snmp's,
// which only the supervisor of a director with SNMP enabled loads (the SNMP
// module, doc/snmp.md).
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

// The files mapped into `pid`'s address space, from /proc/PID/maps.
std::string mappings(pid_t pid) { return fileText("/proc/" + std::to_string(pid) + "/maps"); }

// libcurl and the chain it pulls in (GnuTLS through libldap and librtmp),
// PCRE2, the HTTP module itself: what only a check worker with HTTP_GET /
// SSL_GET may map.
bool mapsHttpLibraries(const std::string& maps) {
  for (const char* library :
       {"libcurl", "libgnutls", "libldap", "libssh2", "libpcre2", "vigil-http.so"}) {
    if (maps.find(library) != std::string::npos) return true;
  }
  return false;
}

// net-snmp's libraries and the SNMP module: what only the supervisor of a
// director with SNMP enabled may map (doc/snmp.md, "The SNMP module").
bool mapsSnmpLibraries(const std::string& maps) {
  for (const char* library : {"libnetsnmp", "vigil-snmp.so"}) {
    if (maps.find(library) != std::string::npos) return true;
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
    writeDirector("");
  }

  // vigil.conf: one MASTER instance on h2fp0 whose notify script marks
  // MASTER; `globals` goes into global_defs, `instance` (version, interval,
  // authentication) into the instance.
  void writeDirector(const std::string& globals,
                     const std::string& instance = "  version 3\n  advert_int 0.1\n") {
    lab_.write("vigil.conf", "global_defs {\n  dataplane none\n  metrics_listen off\n" + globals +
                                 "}\n"
                                 "vrrp_instance VI_1 {\n  interface h2fp0\n  virtual_router_id 72\n"
                                 "  state MASTER\n  priority 150\n" +
                                 instance +
                                 "  virtual_ipaddress {\n    10.72.0.100/24\n  }\n"
                                 "  notify_master " +
                                 lab_.path("notify.sh") + "\n}\n");
  }

  // Starts vigild and waits until its instance is MASTER: daemon_ and vrrp_
  // are then the supervisor and the VRRP worker.
  void startMaster() {
    daemon_ = lab_.spawnVigild();
    ASSERT_GT(daemon_, 0);
    ASSERT_TRUE(waitFor(15s, [&] { return std::filesystem::exists(lab_.path("notify.env")); }))
        << logs();
    vrrp_ = pidIn("vrrp.pid");
    ASSERT_GT(vrrp_, 0) << logs();
  }

  pid_t pidIn(const std::string& file) const {
    std::istringstream in(lab_.read(file));
    pid_t pid = 0;
    return (in >> pid) ? pid : 0;
  }

  std::string logs() const { return lab_.describe({"vigild.log"}); }

  VigildLab lab_{"h2fp", "h2-footprint"};
  pid_t daemon_ = 0;
  pid_t vrrp_ = 0;
};

TEST_F(VigildFootprintTest, VrrpOnlyDirectorIsSupervisorAndOneSingleThreadedWorker) {
  ASSERT_NO_FATAL_FAILURE(startMaster());
  const pid_t daemon = daemon_;
  const pid_t vrrp = vrrp_;
  // Re-executed in place: the pid and the process name do not change.
  EXPECT_EQ(pidIn("vigild.pid"), daemon);
  EXPECT_EQ(fileText("/proc/" + std::to_string(daemon) + "/comm"), "vigild\n");

  EXPECT_EQ(childrenOf(daemon), std::vector<pid_t>{vrrp}) << logs();
  EXPECT_FALSE(std::filesystem::exists(lab_.path("check.pid")));
  EXPECT_EQ(threadCount(daemon), 1);
  EXPECT_EQ(threadCount(vrrp), 1);
}

TEST_F(VigildFootprintTest, VrrpOnlyDirectorMapsNoHttpLibraries) {
  ASSERT_NO_FATAL_FAILURE(startMaster());
  const pid_t daemon = daemon_;
  const pid_t vrrp = vrrp_;
  const std::string supervisorMaps = mappings(daemon);
  const std::string vrrpMaps = mappings(vrrp);
  ASSERT_NE(supervisorMaps.find("libc.so"), std::string::npos);  // the maps were read
  EXPECT_FALSE(mapsHttpLibraries(supervisorMaps)) << supervisorMaps;
  EXPECT_FALSE(mapsHttpLibraries(vrrpMaps)) << vrrpMaps;
}

TEST_F(VigildFootprintTest, VrrpOnlyDirectorMapsNoSnmpLibraries) {
  ASSERT_NO_FATAL_FAILURE(startMaster());
  const pid_t daemon = daemon_;
  const pid_t vrrp = vrrp_;
  const std::string supervisorMaps = mappings(daemon);
  ASSERT_NE(supervisorMaps.find("libc.so"), std::string::npos);  // the maps were read
  EXPECT_FALSE(mapsSnmpLibraries(supervisorMaps)) << supervisorMaps;
  EXPECT_FALSE(mapsSnmpLibraries(mappings(vrrp))) << mappings(vrrp);
}

// SNMP enabled: the supervisor, which runs the AgentX subagent, loads the
// SNMP module and net-snmp with it (no snmpd is needed for that: the agent
// retries the master in the background); the VRRP worker, forked before,
// maps neither.
TEST_F(VigildFootprintTest, OnlyTheSupervisorOfAnSnmpDirectorMapsTheSnmpModule) {
  writeDirector("  enable_snmp_vrrp\n  snmp_socket unix:" + lab_.path("agentx") + "\n");
  ASSERT_NO_FATAL_FAILURE(startMaster());
  const pid_t daemon = daemon_;
  const pid_t vrrp = vrrp_;
  EXPECT_TRUE(waitFor(15s,
                      [&] {
                        const std::string maps = mappings(daemon);
                        return maps.find("vigil-snmp.so") != std::string::npos &&
                               maps.find("libnetsnmpagent") != std::string::npos;
                      }))
      << mappings(daemon) << logs();
  EXPECT_FALSE(mapsSnmpLibraries(mappings(vrrp))) << mappings(vrrp);
}

// An HTTP_GET loads the module, and libcurl with it, in the check worker
// alone.
TEST_F(VigildFootprintTest, OnlyACheckWorkerWithHttpGetMapsTheHttpModule) {
  lab_.write("vigil.conf",
             "global_defs {\n  dataplane none\n  metrics_listen off\n}\n"
             "virtual_server 10.72.0.100 80 {\n  delay_loop 0.5\n  lb_kind DR\n"
             "  real_server 10.72.0.1 80 {\n    HTTP_GET {\n      url {\n        path /\n"
             "        status_code 200\n      }\n      connect_timeout 0.5\n    }\n  }\n}\n");
  const pid_t daemon = lab_.spawnVigild();
  ASSERT_GT(daemon, 0);
  ASSERT_TRUE(waitFor(15s, [&] { return pidIn("check.pid") > 0; })) << logs();
  const pid_t check = pidIn("check.pid");
  EXPECT_TRUE(waitFor(15s,
                      [&] {
                        const std::string maps = mappings(check);
                        return maps.find("vigil-http.so") != std::string::npos &&
                               maps.find("libcurl") != std::string::npos;
                      }))
      << mappings(check) << logs();
  EXPECT_FALSE(mapsHttpLibraries(mappings(daemon)));
}

// VRRPv2's AH is HMAC-MD5-96 computed by vigil's own MD5 (core/md5.h), so
// a director that runs no HTTP_GET / SSL_GET and no SNMP maps no OpenSSL,
// even when it signs its adverts with AH (keepalived's parent and VRRP
// child both map libcrypto).
TEST_F(VigildFootprintTest, VrrpOnlyDirectorWithAhMapsNoLibcrypto) {
  writeDirector("",
                "  version 2\n  advert_int 1\n"
                "  authentication {\n    auth_type AH\n    auth_pass secret\n  }\n");
  ASSERT_NO_FATAL_FAILURE(startMaster());
  const pid_t daemon = daemon_;
  const pid_t vrrp = vrrp_;
  for (pid_t pid : {daemon, vrrp}) {
    const std::string maps = mappings(pid);
    ASSERT_NE(maps.find("libc.so"), std::string::npos);  // the maps were read
    EXPECT_EQ(maps.find("libcrypto"), std::string::npos) << maps;
  }
}

}  // namespace
}  // namespace vigil::test
