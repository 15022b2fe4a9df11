#include "vrrp/vmac.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

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
    if (fail) return Error{EEXIST, "exists"};
    created.push_back(name + "@" + base);
    lastMac = mac;
    return 7;
  }
  Status remove(const std::string& name) override {
    removed.push_back(name);
    return {};
  }
  bool fail = false;
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
    EXPECT_EQ(vmac.error().code, EEXIST);
  }
  EXPECT_TRUE(macvlans.removed.empty());
}

}  // namespace
}  // namespace vigil::vrrp
