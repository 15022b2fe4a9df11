#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// A split brain between two vigild directors that heals one direction at a
// time, in the order that used to leave the VIP announced by nobody: d2
// hears d1 and steps down while its own packets still cannot reach d1. The
// client, which followed d2's GARPs during the split, must get d1's MAC
// back from d1's re-sent GARPs within seconds, with no garp_master_refresh
// (doc/vips.md, "After a split brain heals").
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKeepalived = "/usr/sbin/keepalived";
constexpr const char* kVip = "10.61.0.100";
constexpr LabAddresses kLab{kVip, "10.61.0.100/24", "10.61.0.1/24", "10.61.0.2/24", "-4", "inet"};
// d1's bridge port; the split drops what enters and what leaves it.
constexpr const char* kD1Port = "h6p1";

std::string directorConfig(int priority, bool lowerPrioNoAdvert) {
  std::ostringstream out;
  out << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n"
      << "  version 3\n  priority " << priority << "\n  advert_int 0.1\n"
      << "  garp_master_delay 0\n"
      << (lowerPrioNoAdvert ? "  lower_prio_no_advert\n" : "") << "  virtual_ipaddress {\n    "
      << kLab.vipPrefix << "\n  }\n}\n";
  return out.str();
}

class SplitBrainHealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok() && client_.ok());
    char pattern[] = "/tmp/vigil-h6-split-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, kD1Port, kLab.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "h6p2", kLab.second));
    ASSERT_TRUE(plugIntoBridge(bridge_, client_, "h6pc", "10.61.0.3/24"));
    // GARPs may follow the client's own ARP exchange closely; let every one
    // update the entry (the default locktime ignores those within 1 s).
    ASSERT_EQ(client_.exec("sysctl -qw net.ipv4.neigh.eth0.locktime=0").exitCode, 0);
  }
  void TearDown() override {
    d1Process_.reset();
    d2Process_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<NsProcess> startDirector(const NetNs& ns, const std::string& name, int priority,
                                           bool lowerPrioNoAdvert) {
    const std::string config = dir_ + "/" + name + ".conf";
    std::ofstream(config) << directorConfig(priority, lowerPrioNoAdvert);
    auto process = std::make_unique<NsProcess>(
        ns, dir_ + "/" + name + ".log",
        std::vector<std::string>{vigild(), "-n", "-l", "-f", config, "-i", ns.name(), "-p",
                                 dir_ + "/" + name + ".pid", "-r",
                                 dir_ + "/" + name + ".vrrp.pid"});
    EXPECT_TRUE(process->start());
    return process;
  }

  // keepalived 2.2.7 on the same instance text, VRRP only (-P).
  std::unique_ptr<NsProcess> startKeepalived(const NetNs& ns, const std::string& name,
                                             int priority) {
    const std::string config = dir_ + "/" + name + ".conf";
    std::ofstream(config) << directorConfig(priority, false);
    auto process = std::make_unique<NsProcess>(
        ns, dir_ + "/" + name + ".log",
        std::vector<std::string>{kKeepalived, "-n", "-l", "-P", "-f", config, "-p",
                                 dir_ + "/" + name + ".pid", "-r",
                                 dir_ + "/" + name + ".vrrp.pid"});
    EXPECT_TRUE(process->start());
    return process;
  }

  static std::string macOf(const NetNs& ns) {
    std::string mac = ns.exec("cat /sys/class/net/eth0/address").output;
    while (!mac.empty() && (mac.back() == '\n' || mac.back() == ' ')) mac.pop_back();
    return mac;
  }
  // The link-layer address the client's neighbour table has for the VIP.
  std::string clientNeighbour() const {
    return client_.exec(std::string("ip -4 neigh show ") + kVip + " dev eth0").output;
  }
  bool clientSees(const std::string& mac) const {
    return clientNeighbour().find("lladdr " + mac) != std::string::npos;
  }

  // Rules in tables of the bridge namespace: `toD1` drops what leaves the
  // bridge towards d1, `fromD1` what d1 sends into it.
  bool block(const std::string& table, const std::string& match) const {
    return bridge_
               .exec("nft add table bridge " + table + " && nft add chain bridge " + table +
                     " c \"{ type filter hook forward priority 0; }\" && nft add rule bridge " +
                     table + " c " + match + " \"" + kD1Port + "\" drop")
               .exitCode == 0;
  }
  bool unblock(const std::string& table) const {
    return bridge_.exec("nft delete table bridge " + table).exitCode == 0;
  }

  // d1 (200) master with the client's neighbour entry on d1's MAC; then d1
  // cut off both ways until d2 (100) is master too and the client has
  // followed d2's GARPs; then d1 -> LAN opens and d2 steps down while its
  // packets still cannot reach d1; then LAN -> d1 opens.
  // d1 is vigild, or keepalived with `keepalivedD1`.
  void splitAndHealLowerHearsFirst(bool d2LowerPrioNoAdvert, bool keepalivedD1 = false) {
    d1Mac_ = macOf(d1_);
    d2Mac_ = macOf(d2_);
    ASSERT_FALSE(d1Mac_.empty());
    d1Process_ =
        keepalivedD1 ? startKeepalived(d1_, "d1", 200) : startDirector(d1_, "d1", 200, false);
    ASSERT_TRUE(waitFor(10s, [&] { return holdsVip(d1_, kLab); })) << d1Process_->log();
    d2Process_ = startDirector(d2_, "d2", 100, d2LowerPrioNoAdvert);
    // One datagram to the VIP: the client resolves it and holds d1's MAC.
    ASSERT_EQ(client_.exec(std::string("bash -c \"echo x >/dev/udp/") + kVip + "/9\"").exitCode, 0);
    ASSERT_TRUE(waitFor(5s, [&] { return clientSees(d1Mac_); })) << clientNeighbour();
    EXPECT_FALSE(holdsVip(d2_, kLab)) << d2Process_->log();

    ASSERT_TRUE(block("h6to_d1", "oifname"));
    ASSERT_TRUE(block("h6from_d1", "iifname"));
    ASSERT_TRUE(waitFor(10s, [&] { return holdsVip(d2_, kLab); })) << d2Process_->log();
    ASSERT_TRUE(waitFor(10s, [&] { return clientSees(d2Mac_); })) << clientNeighbour();
    EXPECT_TRUE(holdsVip(d1_, kLab)) << "split brain: d1 hears nothing and stays master";

    ASSERT_TRUE(unblock("h6from_d1"));
    ASSERT_TRUE(waitFor(10s, [&] { return !holdsVip(d2_, kLab); })) << d2Process_->log();
    ASSERT_TRUE(unblock("h6to_d1"));
  }

  NetNs bridge_{"h6br"};
  NetNs d1_{"h6d1"};
  NetNs d2_{"h6d2"};
  NetNs client_{"h6cl"};
  std::string dir_;
  std::string d1Mac_;
  std::string d2Mac_;
  std::unique_ptr<NsProcess> d1Process_;
  std::unique_ptr<NsProcess> d2Process_;
};

TEST_F(SplitBrainHealTest, TrueMasterReGarpsWhenTheLowerHearsItFirst) {
  splitAndHealLowerHearsFirst(false);
  if (HasFatalFailure()) return;
  // d2 answers d1's adverts at its own priority; the first that reaches d1
  // makes it re-send its GARPs.
  const auto took = waitFor(3s, [&] { return clientSees(d1Mac_); });
  ASSERT_TRUE(took) << clientNeighbour() << "\nd1:\n"
                    << d1Process_->log() << "\nd2:\n"
                    << d2Process_->log();
  RecordProperty("regarp_ms", static_cast<int>(took->count()));
  EXPECT_TRUE(holdsVip(d1_, kLab));
  EXPECT_FALSE(holdsVip(d2_, kLab));
}

// The control: with lower_prio_no_advert (what vrrp_strict sets) d2 steps
// down as silently as the RFC has it, d1 hears no lower advert, and the
// client keeps the MAC of a director that no longer holds the VIP. This is
// the failure the answers fix, and why this lab can see it.
TEST_F(SplitBrainHealTest, RfcSilentStepDownLeavesTheClientOnTheOldMaster) {
  splitAndHealLowerHearsFirst(true);
  if (HasFatalFailure()) return;
  EXPECT_FALSE(waitFor(3s, [&] { return clientSees(d1Mac_); })) << clientNeighbour();
  EXPECT_TRUE(clientSees(d2Mac_)) << clientNeighbour();
  EXPECT_TRUE(holdsVip(d1_, kLab));
}

// keepalived as the true master: it answers vigil's lower advert with an
// advert and GARPs (garp_lower_prio_repeat defaults to garp_master_repeat),
// so a vigil d2 heals a keepalived d1 the same way.
TEST_F(SplitBrainHealTest, KeepalivedMasterReGarpsWhenVigilYieldsToIt) {
  if (!std::filesystem::exists(kKeepalived)) GTEST_SKIP() << "keepalived is not installed";
  splitAndHealLowerHearsFirst(false, true);
  if (HasFatalFailure()) return;
  const auto took = waitFor(3s, [&] { return clientSees(d1Mac_); });
  ASSERT_TRUE(took) << clientNeighbour() << "\nkeepalived d1:\n"
                    << d1Process_->log() << "\nd2:\n"
                    << d2Process_->log();
  RecordProperty("regarp_ms", static_cast<int>(took->count()));
  EXPECT_TRUE(holdsVip(d1_, kLab));
  EXPECT_FALSE(holdsVip(d2_, kLab));
}

}  // namespace
}  // namespace vigil::test
