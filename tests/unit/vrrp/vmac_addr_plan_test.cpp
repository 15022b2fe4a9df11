#include "vrrp/vmac_addr_plan.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "config/loader.h"
#include "vrrp/vmac_plan.h"

// use_vmac_addr and use_vmac on one address: which VMACs, which MACs, which
// address lands where. The expected names are what keepalived 2.2.7 made from
// the same configurations in a namespace (doc/vips.md).
namespace vigil::vrrp {
namespace {

std::shared_ptr<const config::Config> load(const std::string& globals, const std::string& options,
                                           const std::string& vips, const std::string& evips,
                                           const char* family = "10.90.0.100/24") {
  const std::string text = "global_defs {\n" + globals +
                           "\n}\n"
                           "vrrp_instance VI_1 {\n"
                           "  interface eth0\n" +
                           options +
                           "\n"
                           "  virtual_router_id 51\n"
                           "  priority 200\n"
                           "  virtual_ipaddress {\n    " +
                           family + "\n" + vips +
                           "\n  }\n"
                           "  virtual_ipaddress_excluded {\n" +
                           evips + "\n  }\n}\n";
  auto result = config::loadConfigText("t.conf", text, config::LoadOptions{});
  EXPECT_TRUE(result.config) << config::errorSummary(result);
  return result.config;
}

// "name@base mac" of each address VMAC, in the order made.
std::vector<std::string> described(const config::Config& config) {
  std::vector<std::string> out;
  for (const AddressVmac& vmac : addressVmacs(config.vrrp.instances.at(0), config.global.vrrp)) {
    char mac[18];
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", vmac.spec.mac[0],
                  vmac.spec.mac[1], vmac.spec.mac[2], vmac.spec.mac[3], vmac.spec.mac[4],
                  vmac.spec.mac[5]);
    out.push_back(vmac.spec.name + "@" + vmac.base + " " + mac);
  }
  return out;
}

// "address dev" of every VIP then eVIP as the runtime installs them; dev
// "-" when left to the instance's default device.
std::vector<std::string> placed(const config::Config& config) {
  const config::VrrpInstance instance =
      withPlacedAddresses(config.vrrp.instances.at(0), config.global.vrrp);
  std::vector<std::string> out;
  for (const auto* list : {&instance.vips, &instance.excludedVips}) {
    for (const config::VirtualAddress& vip : *list) {
      out.push_back(vip.prefix.toString() + " " + (vip.dev.empty() ? "-" : vip.dev));
    }
  }
  return out;
}

TEST(VmacAddrPlan, UseVmacAddrGivesEachInterfaceAndFamilyItsVmacAsKeepalivedNamesThem) {
  auto config =
      load("", "use_vmac\n use_vmac_addr", "10.91.0.100/24 dev eth1\n 10.92.0.100/24 dev eth2",
           "fd00:90::100/64 dev eth0\n fd00:91::100/64 dev eth1");
  ASSERT_TRUE(config);
  EXPECT_EQ(described(*config),
            (std::vector<std::string>{
                "vrrp1.51@eth1 00:00:5e:00:01:33", "vrrp2.51@eth2 00:00:5e:00:01:33",
                "vrrp6.51@eth0 00:00:5e:00:02:33", "vrrp3.51@eth1 00:00:5e:00:02:33"}));
  EXPECT_EQ(placed(*config),
            (std::vector<std::string>{"10.90.0.100/24 vrrp.51", "10.91.0.100/24 vrrp1.51",
                                      "10.92.0.100/24 vrrp2.51", "fd00:90::100/64 vrrp6.51",
                                      "fd00:91::100/64 vrrp3.51"}));
}

TEST(VmacAddrPlan, TheFirstIpv6VmacTakesSixWhicheverInterfaceItIsOn) {
  auto config =
      load("", "use_vmac\n use_vmac_addr", "10.92.0.100/24 dev eth2\n 10.91.0.100/24 dev eth1",
           "fd00:91::100/64 dev eth1\n fd00:90::100/64 dev eth0");
  ASSERT_TRUE(config);
  EXPECT_EQ(described(*config),
            (std::vector<std::string>{
                "vrrp1.51@eth2 00:00:5e:00:01:33", "vrrp2.51@eth1 00:00:5e:00:01:33",
                "vrrp6.51@eth1 00:00:5e:00:02:33", "vrrp3.51@eth0 00:00:5e:00:02:33"}));
}

TEST(VmacAddrPlan, VmacAddrPrefixNamesThemAndItsBareNameComesFirst) {
  auto config = load("vmac_addr_prefix vx", "use_vmac\n use_vmac_addr",
                     "10.91.0.100/24 dev eth1\n 10.92.0.100/24 dev eth2\n 10.91.0.101/24 dev eth1",
                     "fd00:91::100/64 dev eth1\n fd00:92::100/64 dev eth2\n"
                     " fd00:90::100/64 dev eth0");
  ASSERT_TRUE(config);
  EXPECT_EQ(
      described(*config),
      (std::vector<std::string>{"vx.51@eth1 00:00:5e:00:01:33", "vx1.51@eth2 00:00:5e:00:01:33",
                                "vx6.51@eth1 00:00:5e:00:02:33", "vx2.51@eth2 00:00:5e:00:02:33",
                                "vx3.51@eth0 00:00:5e:00:02:33"}));
  // Two addresses of one interface and family share its VMAC.
  EXPECT_EQ(placed(*config).at(3), "10.91.0.101/24 vx.51");
}

TEST(VmacAddrPlan, AnIpv6InstancesIpv4VmacsAreNumbered) {
  auto config = load("vmac_addr_prefix vx", "use_vmac\n use_vmac_addr", "fd00:91::100/64 dev eth1",
                     "10.91.0.100/24 dev eth1\n 10.90.0.100/24 dev eth0\n 10.92.0.100/24 dev eth2",
                     "fd00:90::100/64");
  ASSERT_TRUE(config);
  EXPECT_EQ(
      described(*config),
      (std::vector<std::string>{"vx.51@eth1 00:00:5e:00:02:33", "vx1.51@eth1 00:00:5e:00:01:33",
                                "vx2.51@eth0 00:00:5e:00:01:33", "vx3.51@eth2 00:00:5e:00:01:33"}));
  EXPECT_EQ(placed(*config).at(0), "fd00:90::100/64 vrrp.51");
}

TEST(VmacAddrPlan, UseVmacOnOneAddressMovesOnlyThatOne) {
  auto config = load("", "use_vmac", "10.91.0.100/24 dev eth1 use_vmac\n 10.92.0.100/24 dev eth2",
                     "fd00:90::100/64 use_vmac\n fd00:92::100/64 dev eth2");
  ASSERT_TRUE(config);
  EXPECT_EQ(described(*config), (std::vector<std::string>{"vrrp1.51@eth1 00:00:5e:00:01:33",
                                                          "vrrp6.51@eth0 00:00:5e:00:02:33"}));
  EXPECT_EQ(placed(*config),
            (std::vector<std::string>{"10.90.0.100/24 -", "10.91.0.100/24 vrrp1.51",
                                      "10.92.0.100/24 eth2", "fd00:90::100/64 vrrp6.51",
                                      "fd00:92::100/64 eth2"}));
}

TEST(VmacAddrPlan, WithoutTheInstancesVmacTheFirstAddressVmacTakesTheBareName) {
  auto useVmac = load("", "", "10.91.0.100/24 dev eth1 use_vmac", "");
  ASSERT_TRUE(useVmac);
  EXPECT_EQ(described(*useVmac), (std::vector<std::string>{"vrrp.51@eth1 00:00:5e:00:01:33"}));
  EXPECT_EQ(placed(*useVmac).at(0), "10.90.0.100/24 -");
  // use_vmac_addr alone leaves the instance's own interface and family alone.
  auto vmacAddr = load("", "use_vmac_addr", "10.91.0.100/24 dev eth1", "");
  ASSERT_TRUE(vmacAddr);
  EXPECT_EQ(described(*vmacAddr), (std::vector<std::string>{"vrrp.51@eth1 00:00:5e:00:01:33"}));
  EXPECT_EQ(placed(*vmacAddr),
            (std::vector<std::string>{"10.90.0.100/24 -", "10.91.0.100/24 vrrp.51"}));
}

TEST(VmacAddrPlan, AnAddressWrittenOnTheInstancesInterfaceJoinsItsVmac) {
  auto config = load("", "use_vmac\n use_vmac_addr", "10.90.0.101/24 dev eth0", "");
  ASSERT_TRUE(config);
  EXPECT_TRUE(described(*config).empty());
  EXPECT_EQ(placed(*config).at(1), "10.90.0.101/24 vrrp.51");
}

TEST(VmacAddrPlan, NothingMovesWithoutUseVmacAddrOrUseVmacOnTheAddress) {
  auto config =
      load("", "use_vmac", "10.91.0.100/24 dev eth1\n 10.90.0.101/24 dev eth0", "fd00:90::100/64");
  ASSERT_TRUE(config);
  EXPECT_TRUE(described(*config).empty());
  EXPECT_EQ(placed(*config),
            (std::vector<std::string>{"10.90.0.100/24 -", "10.91.0.100/24 eth1",
                                      "10.90.0.101/24 eth0", "fd00:90::100/64 -"}));
}

TEST(VmacAddrPlan, WantedVmacsHoldTheAddressVmacsAndOnlyIpv6OnesCarryTheBasesLinkLocal) {
  auto config =
      load("", "use_vmac\n use_vmac_addr", "10.91.0.100/24 dev eth1", "fd00:90::100/64 dev eth0");
  ASSERT_TRUE(config);
  const auto wanted = wantedVmacs(*config);
  ASSERT_EQ(wanted.size(), 3u);
  EXPECT_EQ(wanted.at("vrrp.51"),
            (WantedVmac{{"vrrp.51", virtualMac(AF_INET, 51)}, "eth0", AF_INET, false}));
  EXPECT_EQ(wanted.at("vrrp1.51"),
            (WantedVmac{{"vrrp1.51", virtualMac(AF_INET, 51)}, "eth1", AF_INET, false}));
  EXPECT_EQ(wanted.at("vrrp6.51"),
            (WantedVmac{{"vrrp6.51", virtualMac(AF_INET6, 51)}, "eth0", AF_INET6, true}));
}

TEST(VmacAddrPlan, TheBasesLinkLocalGoesOnAsScopeLinkSlash64WithoutDad) {
  const config::VirtualAddress address =
      vmacLinkLocalOn("vrrp6.51", *IpAddress::parse("fe80::245d:3bff:fe1e:2bd"));
  EXPECT_EQ(address.prefix.toString(), "fe80::245d:3bff:fe1e:2bd/64");
  EXPECT_EQ(address.dev, "vrrp6.51");
  EXPECT_EQ(address.scope, "link");
  EXPECT_TRUE(address.noDad);
}

}  // namespace
}  // namespace vigil::vrrp
