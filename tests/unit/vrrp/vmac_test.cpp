#include "vrrp/vmac.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <vector>

#include "vrrp/vmac_plan.h"
#include "vrrp/vmac_sysctls.h"

namespace vigil::vrrp {
namespace {

config::VrrpInstance withVmac(int family) {
  config::VrrpInstance c;
  c.vrid = 51;
  c.family = family;
  c.useVmac = true;
  return c;
}

TEST(Vmac, DefaultsToPrefixDotVridAndTheRfcVirtualMac) {
  EXPECT_EQ(vmacFor(withVmac(AF_INET), "vrrp"),
            (VmacSpec{"vrrp.51", {0x00, 0x00, 0x5e, 0x00, 0x01, 51}}));
  EXPECT_EQ(vmacFor(withVmac(AF_INET6), "vm"),
            (VmacSpec{"vm.51", {0x00, 0x00, 0x5e, 0x00, 0x02, 51}}));
}

TEST(Vmac, WrittenNameAndMacWin) {
  config::VrrpInstance c = withVmac(AF_INET);
  c.vmacName = "vip0";
  c.vmacMac = "02:AB:cd:00:00:01";
  EXPECT_EQ(vmacFor(c, "vrrp"), (VmacSpec{"vip0", {0x02, 0xab, 0xcd, 0x00, 0x00, 0x01}}));
}

TEST(Vmac, NoneWithoutUseVmac) {
  config::VrrpInstance c = withVmac(AF_INET);
  c.useVmac = false;
  EXPECT_EQ(vmacFor(c, "vrrp"), std::nullopt);
}

TEST(Vmac, ParseMacRejectsWhatIsNotSixHexPairs) {
  EXPECT_EQ(parseMac("00:00:5e:00:01:0a"), (MacAddress{0, 0, 0x5e, 0, 1, 10}));
  for (const char* bad :
       {"", "00:00:5e:00:01", "00:00:5e:00:01:0g", "00-00-5e-00-01-0a", "00:00:5e:00:01:0a:"}) {
    EXPECT_EQ(parseMac(bad), std::nullopt) << bad;
  }
}

class FakeMacvlans final : public netlink::MacvlanManager {
 public:
  Result<int> create(const std::string& name, const std::string& base,
                     const netlink::Mac& mac) override {
    if (fail) return Error{EPERM, "not permitted"};
    if (existing.contains(name)) return Error{EEXIST, "exists"};
    existing.insert(name);
    created.push_back(name + "@" + base);
    lastMac = mac;
    return 7;
  }
  Status remove(const std::string& name) override {
    existing.erase(name);
    removed.push_back(name);
    return {};
  }
  bool fail = false;
  std::set<std::string> existing;  // interfaces present now
  std::vector<std::string> created;
  std::vector<std::string> removed;
  netlink::Mac lastMac{};
};

TEST(VmacInterface, CreatesOnTheBaseAndRemovesOnceWhenDestroyed) {
  FakeMacvlans macvlans;
  const VmacSpec spec = *vmacFor(withVmac(AF_INET), "vrrp");
  {
    auto vmac = VmacInterface::create(macvlans, spec, "eth0");
    ASSERT_TRUE(vmac);
    EXPECT_EQ(vmac->ifindex(), 7);
    VmacInterface moved = std::move(*vmac);
    EXPECT_EQ(moved.name(), "vrrp.51");
    EXPECT_TRUE(macvlans.removed.empty());
  }
  EXPECT_EQ(macvlans.created, std::vector<std::string>{"vrrp.51@eth0"});
  EXPECT_EQ(macvlans.lastMac, spec.mac);
  EXPECT_EQ(macvlans.removed, std::vector<std::string>{"vrrp.51"});
}

TEST(VmacInterface, AFailedCreateRemovesNothing) {
  FakeMacvlans macvlans;
  macvlans.fail = true;
  {
    auto vmac = VmacInterface::create(macvlans, *vmacFor(withVmac(AF_INET), "vrrp"), "eth0");
    EXPECT_FALSE(vmac);
    EXPECT_EQ(vmac.error().code, EPERM);
  }
  EXPECT_TRUE(macvlans.removed.empty());
}

TEST(VmacInterface, OneLeftByACrashedWorkerIsCreatedAgain) {
  FakeMacvlans macvlans;
  macvlans.existing.insert("vrrp.51");
  {
    auto vmac = VmacInterface::create(macvlans, *vmacFor(withVmac(AF_INET), "vrrp"), "eth0");
    ASSERT_TRUE(vmac) << vmac.error().describe();
    EXPECT_EQ(macvlans.removed, std::vector<std::string>{"vrrp.51"});
    EXPECT_EQ(macvlans.created, std::vector<std::string>{"vrrp.51@eth0"});
  }
  EXPECT_TRUE(macvlans.existing.empty());
}

TEST(VmacPlan, AdvertsGoOnTheVmacUnlessXmitBaseAndVipsAlwaysDo) {
  config::VrrpInstance c = withVmac(AF_INET);
  c.interface = "eth0";
  EXPECT_EQ(interfacesFor(c, "vrrp"), (InstanceInterfaces{"vrrp.51", "vrrp.51"}));
  c.vmacXmitBase = true;
  EXPECT_EQ(interfacesFor(c, "vrrp"), (InstanceInterfaces{"eth0", "vrrp.51"}));
  c.useVmac = false;
  EXPECT_EQ(interfacesFor(c, "vrrp"), (InstanceInterfaces{"eth0", "eth0"}));
}

config::Config configWith(std::vector<config::VrrpInstance> instances) {
  config::Config config;
  config.vrrp.instances = std::move(instances);
  return config;
}

config::VrrpInstance onInterface(int vrid, const std::string& interface, bool useVmac) {
  config::VrrpInstance c;
  c.vrid = static_cast<uint8_t>(vrid);
  c.family = AF_INET;
  c.interface = interface;
  c.useVmac = useVmac;
  return c;
}

TEST(VmacPlan, WantsOneVmacPerUseVmacInstanceOnItsInterface) {
  config::Config config = configWith({onInterface(51, "eth0", true), onInterface(52, "eth0", false),
                                      onInterface(53, "eth1", true)});
  config.global.vrrp.vmacPrefix = "vm";
  const auto wanted = wantedVmacs(config);
  ASSERT_EQ(wanted.size(), 2u);
  EXPECT_EQ(wanted.at("vm.51"), (WantedVmac{{"vm.51", virtualMac(AF_INET, 51)}, "eth0", AF_INET}));
  EXPECT_EQ(wanted.at("vm.53"), (WantedVmac{{"vm.53", virtualMac(AF_INET, 53)}, "eth1", AF_INET}));
}

TEST(VmacPlan, KeepsUnchangedVmacsRecreatesChangedOnesAndRemovesTheRest) {
  const auto before =
      wantedVmacs(configWith({onInterface(51, "eth0", true), onInterface(52, "eth0", true),
                              onInterface(53, "eth0", true)}));
  const auto after =
      wantedVmacs(configWith({onInterface(51, "eth0", true), onInterface(53, "eth1", true),
                              onInterface(54, "eth0", true)}));
  EXPECT_EQ(planVmacs(before, after),
            (VmacPlan{{"vrrp.52", "vrrp.53"}, {"vrrp.53", "vrrp.54"}, {"vrrp.51"}}));
  EXPECT_EQ(planVmacs(after, after), (VmacPlan{{}, {}, {"vrrp.51", "vrrp.53", "vrrp.54"}}));
  EXPECT_EQ(planVmacs({}, before).create,
            (std::vector<std::string>{"vrrp.51", "vrrp.52", "vrrp.53"}));
}

class FakeSysctls final : public SysctlStore {
 public:
  Result<std::string> read(const std::string& key) override {
    auto it = values.find(key);
    if (it == values.end()) return Error{ENOENT, key};
    return it->second;
  }
  Status write(const std::string& key, const std::string& value) override {
    values[key] = value;
    return {};
  }
  std::map<std::string, std::string> values;
};

TEST(VmacSysctls, BaseStopsAnsweringArpWhileItHasVmacsAndIsRestoredAfterTheLast) {
  FakeSysctls store;
  store.values = {{"net/ipv4/conf/eth0/arp_ignore", "0"},
                  {"net/ipv4/conf/eth0/arp_filter", "0"},
                  {"net/ipv4/conf/eth0/arp_announce", "0"}};
  {
    VmacSysctls sysctls(store);
    sysctls.vmacCreated("vrrp.51", "eth0", AF_INET);
    sysctls.vmacCreated("vrrp.52", "eth0", AF_INET6);
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_ignore"], "1");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_filter"], "1");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_announce"], "2");
    EXPECT_EQ(store.values["net/ipv4/conf/vrrp.51/arp_ignore"], "1");
    EXPECT_EQ(store.values["net/ipv4/conf/vrrp.51/accept_local"], "1");
    EXPECT_EQ(store.values["net/ipv4/conf/vrrp.52/rp_filter"], "0");
    EXPECT_EQ(store.values["net/ipv6/conf/vrrp.51/disable_ipv6"], "1");
    EXPECT_FALSE(store.values.contains("net/ipv6/conf/vrrp.52/disable_ipv6"));
    sysctls.vmacRemoved("eth0");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_ignore"], "1");  // vrrp.52 is still there
    sysctls.vmacRemoved("eth0");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_ignore"], "0");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_filter"], "0");
    EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_announce"], "0");
    store.values["net/ipv4/conf/eth0/arp_filter"] = "2";  // an operator's own change
  }
  EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_filter"], "2");  // not restored twice
}

TEST(VmacSysctls, DestroyingRestoresBasesStillHeld) {
  FakeSysctls store;
  store.values = {{"net/ipv4/conf/eth0/arp_ignore", "2"},
                  {"net/ipv4/conf/eth0/arp_filter", "0"},
                  {"net/ipv4/conf/eth0/arp_announce", "1"}};
  {
    VmacSysctls sysctls(store);
    sysctls.vmacCreated("vrrp.51", "eth0", AF_INET);
  }
  EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_ignore"], "2");
  EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_filter"], "0");
  EXPECT_EQ(store.values["net/ipv4/conf/eth0/arp_announce"], "1");
}

}  // namespace
}  // namespace vigil::vrrp
