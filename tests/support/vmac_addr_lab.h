#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// One director alone (so MASTER) in a namespace with eth0, eth1 and eth2,
// running an instance with use_vmac use_vmac_addr, VIPs on all three and
// IPv6 eVIPs on eth0 and eth1. vigild (integration) and keepalived 2.2.7
// (interop) must make the same macvlans from the same file, put each address
// on the VMAC of its interface and family, give every IPv6 VMAC its base's
// link-local, set all.rp_filter 0 while they exist, and remove them all and
// restore all.rp_filter on SIGTERM. doc/vips.md.
namespace vigil::test {

inline constexpr const char* kVmacAddrInstance = R"(vrrp_instance VI_1 {
  interface eth0
  use_vmac
  use_vmac_addr
  virtual_router_id 51
  version 3
  priority 200
  advert_int 0.1
  virtual_ipaddress {
    10.90.0.100/24
    10.91.0.100/24 dev eth1
    10.92.0.100/24 dev eth2
  }
  virtual_ipaddress_excluded {
    fd00:90::100/64 dev eth0
    fd00:91::100/64 dev eth1
  }
}
)";

struct ExpectedVmac {
  const char* name;
  const char* base;
  const char* mac;
  const char* address;
};

// What keepalived 2.2.7 made from kVmacAddrInstance.
inline constexpr ExpectedVmac kExpectedVmacs[] = {
    {"vrrp.51", "eth0", "00:00:5e:00:01:33", "10.90.0.100/24"},
    {"vrrp1.51", "eth1", "00:00:5e:00:01:33", "10.91.0.100/24"},
    {"vrrp2.51", "eth2", "00:00:5e:00:01:33", "10.92.0.100/24"},
    {"vrrp6.51", "eth0", "00:00:5e:00:02:33", "fd00:90::100/64"},
    {"vrrp3.51", "eth1", "00:00:5e:00:02:33", "fd00:91::100/64"},
};

class VmacAddrLab : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(ns_.ok());
    char pattern[] = "/tmp/vigil-h1vmac-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(ns_.exec("ip link set lo up").exitCode, 0);
    for (int i = 0; i < 3; ++i) {
      const std::string eth = "eth" + std::to_string(i);
      ASSERT_EQ(
          ns_.exec("ip link add " + eth + " type veth peer name " + eth + "p && ip link set " +
                   eth + "p up && ip addr add 10.9" + std::to_string(i) + ".0.1/24 dev " + eth +
                   " && ip link set " + eth + " up")
              .exitCode,
          0);
    }
    // The IPv6 VMACs take their base's link-local: wait until it is there.
    ASSERT_TRUE(waitFor(std::chrono::seconds(10),
                        [&] { return !linkLocal("eth0").empty() && !linkLocal("eth1").empty(); }));
    ASSERT_EQ(ns_.exec("echo 1 > /proc/sys/net/ipv4/conf/all/rp_filter").exitCode, 0);
    eth1ArpIgnoreBefore_ = sysctl("eth1/arp_ignore");
    // Before any daemon runs: one raises it while it holds a VMAC on eth0.
    eth0RpFilterBefore_ = sysctl("eth0/rp_filter");
  }
  void TearDown() override {
    daemon_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Writes `globals` + the instance to dir/name.conf; returns its path.
  std::string writeConfig(const std::string& name, const std::string& globals) const {
    const std::string path = dir_ + "/" + name + ".conf";
    std::ofstream(path) << globals << kVmacAddrInstance;
    return path;
  }
  void startDaemon(const std::string& name, std::vector<std::string> argv) {
    daemon_ = std::make_unique<NsProcess>(ns_, dir_ + "/" + name + ".log", std::move(argv));
    ASSERT_TRUE(daemon_->start());
  }

  // The scenario: the daemon started by startDaemon is MASTER with the
  // expected VMACs and addresses, then SIGTERM leaves nothing behind.
  void expectKeepalivedsVmacsThenNothingAfterStop() {
    ASSERT_TRUE(waitFor(std::chrono::seconds(15),
                        [&] {
                          for (const ExpectedVmac& vmac : kExpectedVmacs) {
                            if (!holds(vmac)) return false;
                          }
                          return true;
                        }))
        << daemon_->log() << ns_.exec("ip -br addr").output;

    for (const ExpectedVmac& vmac : kExpectedVmacs) {
      const std::string line = ns_.exec(std::string("ip -d -o link show dev ") + vmac.name).output;
      EXPECT_NE(line.find(std::string(vmac.name) + "@" + vmac.base + ":"), std::string::npos)
          << line;
      EXPECT_NE(line.find(std::string("link/ether ") + vmac.mac), std::string::npos) << line;
      EXPECT_NE(line.find("macvlan mode private"), std::string::npos) << line;
    }
    // Exactly those five: nothing else was made.
    EXPECT_EQ(ns_.exec("ip -o link show type macvlan | wc -l").output, "5\n");
    // Every IPv6 VMAC carries its base's link-local; the IPv4 ones none.
    EXPECT_EQ(linkLocal("vrrp6.51"), linkLocal("eth0"));
    EXPECT_EQ(linkLocal("vrrp3.51"), linkLocal("eth1"));
    EXPECT_EQ(linkLocal("vrrp1.51"), "");
    // An address VMAC's base stops answering ARP for the VIPs with its own MAC.
    EXPECT_EQ(sysctl("eth1/arp_ignore"), "1\n");
    // all.rp_filter 0, the instance's interface filtering as strictly as before.
    EXPECT_EQ(sysctl("all/rp_filter"), "0\n");
    EXPECT_EQ(sysctl("eth0/rp_filter"), "1\n");

    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->reap(std::chrono::seconds(10))) << daemon_->log();
    EXPECT_EQ(ns_.exec("ip -o link show type macvlan | wc -l").output, "0\n")
        << ns_.exec("ip -br link").output;
    EXPECT_EQ(sysctl("all/rp_filter"), "1\n");
    EXPECT_EQ(sysctl("eth0/rp_filter"), eth0RpFilterBefore_);
    EXPECT_EQ(ns_.exec("ip -o addr show | grep -c -e \"10\\.9[0-2]\\.0\\.100/\" -e fd00:9").output,
              "0\n");
  }

  // The first "fe80::.../64" of `dev`, empty when none.
  std::string linkLocal(const std::string& dev) const {
    return ns_
        .exec("ip -6 -o addr show dev " + dev +
              " scope link | grep -o \"fe80::[0-9a-f:]*/64\" | head -n1 | tr -d \"\\n\"")
        .output;
  }
  bool holds(const ExpectedVmac& vmac) const {
    return ns_.exec(std::string("ip -o addr show dev ") + vmac.name + " | grep -qF \" " +
                    vmac.address + " \"")
               .exitCode == 0;
  }
  std::string sysctl(const std::string& ipv4Conf) const {
    return ns_.exec("cat /proc/sys/net/ipv4/conf/" + ipv4Conf).output;
  }

  NetNs ns_{"h1va"};
  std::string dir_;
  std::unique_ptr<NsProcess> daemon_;
  std::string eth1ArpIgnoreBefore_;
  std::string eth0RpFilterBefore_;  // eth1 is the base of address VMACs only
};

}  // namespace vigil::test
