#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// use_vmac + use_vmac_addr end to end: one vigild, MASTER alone, with VIPs on
// eth0, eth1 and eth2 and IPv6 eVIPs on eth0 and eth1. It must make the
// macvlans keepalived 2.2.7 makes from the same file (doc/vips.md), with the
// RFC 5798 MAC of each address's family, put each address on the VMAC of its
// interface and family, give every IPv6 VMAC its base's link-local, and
// remove them all when stopped.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"(global_defs {
  vip_lifetime 2
}
vrrp_instance VI_1 {
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

// What keepalived 2.2.7 made from kConfig.
constexpr ExpectedVmac kExpected[] = {
    {"vrrp.51", "eth0", "00:00:5e:00:01:33", "10.90.0.100/24"},
    {"vrrp1.51", "eth1", "00:00:5e:00:01:33", "10.91.0.100/24"},
    {"vrrp2.51", "eth2", "00:00:5e:00:01:33", "10.92.0.100/24"},
    {"vrrp6.51", "eth0", "00:00:5e:00:02:33", "fd00:90::100/64"},
    {"vrrp3.51", "eth1", "00:00:5e:00:02:33", "fd00:91::100/64"},
};

class VmacAddrTest : public ::testing::Test {
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
    ASSERT_TRUE(
        waitFor(10s, [&] { return !linkLocal("eth0").empty() && !linkLocal("eth1").empty(); }));
    const std::string config = dir_ + "/vigil.conf";
    std::ofstream(config) << kConfig;
    vigild_ = std::make_unique<NsProcess>(
        ns_, dir_ + "/vigild.log",
        std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config,
                                 "-i", ns_.name(), "-p", dir_ + "/vigild.pid", "-r",
                                 dir_ + "/vrrp.pid"});
  }
  void TearDown() override {
    vigild_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
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
  std::string link(const std::string& name) const {
    return ns_.exec("ip -d -o link show dev " + name).output;
  }
  std::string sysctl(const std::string& ipv4Conf) const {
    return ns_.exec("cat /proc/sys/net/ipv4/conf/" + ipv4Conf).output;
  }
  bool anyVmacLeft() const {
    return ns_.exec("ip -o link show type macvlan | grep -q vrrp").exitCode == 0;
  }

  NetNs ns_{"h1va"};
  std::string dir_;
  std::unique_ptr<NsProcess> vigild_;
};

TEST_F(VmacAddrTest, EachAddressGoesOnTheVmacOfItsInterfaceAndFamilyAndStopRemovesThemAll) {
  const std::string arpIgnoreBefore =
      ns_.exec("cat /proc/sys/net/ipv4/conf/eth1/arp_ignore").output;
  // all.rp_filter set: it goes to 0 while VMACs exist, each base filtering as strictly.
  ASSERT_EQ(ns_.exec("echo 1 > /proc/sys/net/ipv4/conf/all/rp_filter").exitCode, 0);
  const std::string eth2RpFilterBefore = sysctl("eth2/rp_filter");
  ASSERT_TRUE(vigild_->start());
  ASSERT_TRUE(waitFor(15s,
                      [&] {
                        for (const ExpectedVmac& vmac : kExpected) {
                          if (!holds(vmac)) return false;
                        }
                        return true;
                      }))
      << vigild_->log() << ns_.exec("ip -br addr").output;

  for (const ExpectedVmac& vmac : kExpected) {
    const std::string line = link(vmac.name);
    EXPECT_NE(line.find(std::string(vmac.name) + "@" + vmac.base + ":"), std::string::npos) << line;
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
  EXPECT_EQ(ns_.exec("cat /proc/sys/net/ipv4/conf/eth1/arp_ignore").output, "1\n");
  EXPECT_EQ(sysctl("all/rp_filter"), "0\n");
  EXPECT_EQ(sysctl("eth2/rp_filter"), "1\n");

  vigild_->signal(SIGTERM);
  ASSERT_TRUE(vigild_->reap(10s)) << vigild_->log();
  EXPECT_FALSE(anyVmacLeft()) << ns_.exec("ip -br link").output;
  EXPECT_EQ(ns_.exec("cat /proc/sys/net/ipv4/conf/eth1/arp_ignore").output, arpIgnoreBefore);
  EXPECT_EQ(sysctl("all/rp_filter"), "1\n");
  EXPECT_EQ(sysctl("eth2/rp_filter"), eth2RpFilterBefore);
  EXPECT_EQ(ns_.exec("ip -o addr show | grep -c -e \"10\\.9[0-2]\\.0\\.100/\" -e fd00:9").output,
            "0\n");
}

}  // namespace
}  // namespace vigil::test
