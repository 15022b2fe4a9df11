#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// use_vmac end to end: two vigild directors on a bridge with a client. The
// master carries the VIP on vrrp.61, a macvlan with the RFC 5798 virtual MAC
// 00:00:5e:00:01:3d, so the client's ARP entry for the VIP names that MAC
// and stays right when the backup takes over.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVip = "10.61.0.100";
constexpr const char* kVmac = "vrrp.61";
constexpr const char* kVirtualMac = "00:00:5e:00:01:3d";  // VRID 61

class VmacDirector {
 public:
  VmacDirector(const NetNs& ns, const std::string& dir, const std::string& name, int priority)
      : ns_(ns),
        config_(dir + "/" + name + ".conf"),
        process_(
            ns, dir + "/" + name + ".log",
            {std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config_, "-i", ns.name(),
             "-p", dir + "/" + name + ".pid", "-r", dir + "/" + name + ".vrrp.pid"}) {
    writeConfig(priority, {kVip});
  }
  // The configuration with `vips` (the /24 is added), for start or reload.
  void writeConfig(int priority, const std::vector<std::string>& vips) const {
    std::ofstream out(config_);
    out << "global_defs {\n  vip_lifetime 2\n}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
        << "  use_vmac\n  virtual_router_id 61\n  version 3\n"
        << "  priority " << priority << "\n  advert_int 0.1\n  virtual_ipaddress {\n";
    for (const std::string& vip : vips) out << "    " << vip << "/24\n";
    out << "  }\n}\n";
  }
  bool start() { return process_.start(); }
  void signal(int signo) const { process_.signal(signo); }
  void killGroup() const { process_.killGroup(); }
  bool reap(std::chrono::milliseconds limit) { return process_.reap(limit); }
  std::string log() const { return process_.log(); }

  bool hasVmac() const {
    return ns_.exec(std::string("ip link show dev ") + kVmac + " | grep -qF link/ether\\ " +
                    kVirtualMac)
               .exitCode == 0;
  }
  bool holdsVipOnVmac(const std::string& vip = kVip) const {
    return ns_.exec(std::string("ip -4 addr show dev ") + kVmac + " | grep -qF inet\\ " + vip + "/")
               .exitCode == 0;
  }
  // The VMAC's `ip -o link` line up to its name ("5: vrrp.61@eth0"), which
  // changes when it is made again.
  std::string vmacIdentity() const {
    return ns_.exec(std::string("ip -o link show dev ") + kVmac + " | cut -d: -f1,2").output;
  }
  std::string baseArpIgnore() const {
    return ns_.exec("cat /proc/sys/net/ipv4/conf/eth0/arp_ignore").output;
  }

 private:
  const NetNs& ns_;
  std::string config_;
  NsProcess process_;
};

class VmacTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok() && client_.ok());
    char pattern[] = "/tmp/vigil-vmac-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", "10.61.0.1/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", "10.61.0.2/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, client_, "p3", "10.61.0.9/24"));
  }
  void TearDown() override {
    master_.reset();
    backup_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The client reaches the VIP (a TCP connect to a closed port is refused,
  // retried) and its neighbour entry for the VIP names the virtual MAC.
  bool clientReachesVipAtVirtualMac() const {
    return waitFor(5s,
                   [&] {
                     return client_
                                .exec(std::string("timeout 2 bash -c \"echo >/dev/tcp/") + kVip +
                                      "/80\" 2>&1 | grep -q refused && ip neigh show " + kVip +
                                      " dev eth0 | grep -qF " + kVirtualMac)
                                .exitCode == 0;
                   })
        .has_value();
  }

  NetNs bridge_{"vvmbr"};
  NetNs d1_{"vvmd1"};
  NetNs d2_{"vvmd2"};
  NetNs client_{"vvmc"};
  std::string dir_;
  std::unique_ptr<VmacDirector> master_;
  std::unique_ptr<VmacDirector> backup_;
};

TEST_F(VmacTest, VipAndItsVirtualMacMoveTogetherAndStopRemovesTheVmac) {
  const std::string arpIgnoreBefore =
      d2_.exec("cat /proc/sys/net/ipv4/conf/eth0/arp_ignore").output;
  master_ = std::make_unique<VmacDirector>(d1_, dir_, "d1", 200);
  backup_ = std::make_unique<VmacDirector>(d2_, dir_, "d2", 100);
  // The master first, so a loaded machine cannot start d2 a Master_Down_Interval ahead.
  ASSERT_TRUE(master_->start());
  ASSERT_TRUE(waitFor(10s, [&] { return master_->holdsVipOnVmac(); })) << master_->log();
  ASSERT_TRUE(backup_->start());
  EXPECT_TRUE(master_->hasVmac()) << master_->log();
  EXPECT_TRUE(waitFor(5s, [&] { return backup_->hasVmac(); })) << backup_->log();
  EXPECT_FALSE(backup_->holdsVipOnVmac()) << backup_->log();
  // The base interface no longer answers ARP for the VIP with its own MAC.
  EXPECT_EQ(master_->baseArpIgnore(), "1\n");
  ASSERT_TRUE(clientReachesVipAtVirtualMac()) << master_->log();

  // A reload that adds a VIP keeps the instance and so its VMAC.
  const std::string vmacBefore = master_->vmacIdentity();
  // Both, so their adverts keep agreeing on the address list.
  master_->writeConfig(200, {kVip, "10.61.0.101"});
  backup_->writeConfig(100, {kVip, "10.61.0.101"});
  backup_->signal(SIGHUP);
  master_->signal(SIGHUP);
  EXPECT_TRUE(waitFor(5s, [&] { return master_->holdsVipOnVmac("10.61.0.101"); }))
      << master_->log();
  EXPECT_EQ(master_->vmacIdentity(), vmacBefore);
  EXPECT_TRUE(master_->holdsVipOnVmac());

  master_->killGroup();
  ASSERT_TRUE(master_->reap(5s));
  ASSERT_TRUE(waitFor(10s, [&] { return backup_->holdsVipOnVmac(); })) << backup_->log();
  // Same MAC after the takeover: the client's cache never goes stale.
  EXPECT_TRUE(clientReachesVipAtVirtualMac()) << backup_->log();

  backup_->signal(SIGTERM);
  ASSERT_TRUE(backup_->reap(10s)) << backup_->log();
  EXPECT_NE(d2_.exec(std::string("ip link show dev ") + kVmac).exitCode, 0) << backup_->log();
  EXPECT_EQ(backup_->baseArpIgnore(), arpIgnoreBefore);  // restored at stop
}

// A VMAC left behind by a SIGKILLed director is taken over by the next
// start instead of failing with "File exists".
TEST_F(VmacTest, RestartAfterSigkillRecreatesTheLeftoverVmac) {
  master_ = std::make_unique<VmacDirector>(d1_, dir_, "d1", 200);
  ASSERT_TRUE(master_->start());
  ASSERT_TRUE(waitFor(10s, [&] { return master_->holdsVipOnVmac(); })) << master_->log();
  master_->killGroup();
  ASSERT_TRUE(master_->reap(5s));
  // The VIP expires (vip_lifetime 2), the VMAC stays behind.
  ASSERT_TRUE(waitFor(4s, [&] { return !master_->holdsVipOnVmac(); }));
  ASSERT_TRUE(master_->hasVmac());
  master_ = std::make_unique<VmacDirector>(d1_, dir_, "d1", 200);
  ASSERT_TRUE(master_->start());
  EXPECT_TRUE(waitFor(10s, [&] { return master_->holdsVipOnVmac(); })) << master_->log();
  EXPECT_TRUE(master_->hasVmac()) << master_->log();
}

// IPv6 on a VMAC: the macvlan gets no link-local of its own (the one the
// kernel would derive from the shared virtual MAC is the same on both
// routers) but its base's, and the VRRPv3 adverts leave from it: the backup
// hears the master and stays BACKUP until the master dies.
class VmacIpv6Test : public ::testing::Test {
 protected:
  static constexpr const char* kVmac6 = "vrrp.62";
  static constexpr const char* kVip6 = "fd00:62::100";

  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-vmac6-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", "fd00:62::1/64"));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", "fd00:62::2/64"));
  }
  void TearDown() override {
    d1Process_.reset();
    d2Process_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<NsProcess> startDirector(const NetNs& ns, const std::string& name,
                                           int priority) const {
    const std::string config = dir_ + "/" + name + ".conf";
    std::ofstream(config) << "vrrp_instance VI_6 {\n  state BACKUP\n  interface eth0\n"
                          << "  use_vmac\n  virtual_router_id 62\n  priority " << priority
                          << "\n  advert_int 0.1\n  virtual_ipaddress {\n    " << kVip6
                          << "/64\n  }\n}\n";
    auto process = std::make_unique<NsProcess>(
        ns, dir_ + "/" + name + ".log",
        std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config,
                                 "-i", ns.name(), "-p", dir_ + "/" + name + ".pid", "-r",
                                 dir_ + "/" + name + ".vrrp.pid"});
    EXPECT_TRUE(process->start());
    return process;
  }
  // `ip -6 -o addr` lines of scope link on `dev`.
  static std::string linkLocals(const NetNs& ns, const std::string& dev) {
    return ns.exec("ip -6 -o addr show dev " + dev + " scope link").output;
  }
  // The base's link-local, "fe80::.../64".
  static std::string baseLinkLocal(const NetNs& ns) {
    return ns.exec("ip -6 -o addr show dev eth0 scope link | awk \"{print \\$4}\"").output;
  }
  static bool holdsVip6(const NetNs& ns) {
    return ns.exec(std::string("ip -6 addr show dev ") + kVmac6 + " | grep -qF " + kVip6 + "/")
               .exitCode == 0;
  }

  NetNs bridge_{"h1v6br"};
  NetNs d1_{"h1v6d1"};
  NetNs d2_{"h1v6d2"};
  std::string dir_;
  std::unique_ptr<NsProcess> d1Process_;
  std::unique_ptr<NsProcess> d2Process_;
};

TEST_F(VmacIpv6Test, TheVmacSendsFromItsBasesLinkLocalAndTheBackupHearsIt) {
  d1Process_ = startDirector(d1_, "d1", 200);
  ASSERT_TRUE(waitFor(10s, [&] { return holdsVip6(d1_); })) << d1Process_->log();
  std::string base = baseLinkLocal(d1_);
  ASSERT_FALSE(base.empty());
  base.pop_back();  // the newline
  EXPECT_NE(linkLocals(d1_, kVmac6).find(" " + base + " "), std::string::npos)
      << linkLocals(d1_, kVmac6);
  // No EUI-64 address from the virtual MAC 00:00:5e:00:02:3e.
  EXPECT_EQ(linkLocals(d1_, kVmac6).find("fe80::200:5eff:fe00:23e"), std::string::npos)
      << linkLocals(d1_, kVmac6);

  d2Process_ = startDirector(d2_, "d2", 100);
  ASSERT_TRUE(waitFor(10s, [&] { return !linkLocals(d2_, kVmac6).empty(); })) << d2Process_->log();
  // The backup hears the master's adverts on its VMAC and never takes over.
  EXPECT_FALSE(waitFor(1500ms, [&] { return holdsVip6(d2_); })) << d2Process_->log();
  EXPECT_TRUE(holdsVip6(d1_));

  d1Process_->killGroup();
  ASSERT_TRUE(d1Process_->reap(5s));
  EXPECT_TRUE(waitFor(10s, [&] { return holdsVip6(d2_); })) << d2Process_->log();
}

}  // namespace
}  // namespace vigil::test
