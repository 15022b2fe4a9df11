#include "vrrp/runtime_netlink.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>

namespace vigil::vrrp {
namespace {

// The kernel's address table as far as the installer can tell: devices by
// index; a request naming a device the kernel does not have fails with
// ENODEV, as netlink answers. Name lookups (if_nametoindex in the real
// manager) are counted.
struct FakeKernel {
  std::map<int, std::string> devices;  // ifindex -> name
  std::vector<netlink::AddressSpec> requests;
  int nameLookups = 0;

  Status apply(const netlink::AddressSpec& spec) {
    requests.push_back(spec);
    int index = spec.interface.index;
    if (index == 0) {
      ++nameLookups;
      for (const auto& [i, name] : devices) {
        if (name == spec.interface.name) index = i;
      }
    }
    if (devices.count(index) == 0) return Error{ENODEV, "no such device"};
    return {};
  }
};

class FakeAddressManager final : public netlink::AddressManager {
 public:
  explicit FakeAddressManager(FakeKernel& kernel) : kernel_(kernel) {}
  Status add(const netlink::AddressSpec& spec) override { return kernel_.apply(spec); }
  Status remove(const netlink::AddressSpec& spec) override { return kernel_.apply(spec); }
  Result<std::vector<netlink::InstalledAddress>> list(const netlink::InterfaceRef&, int) override {
    return std::vector<netlink::InstalledAddress>{};
  }

 private:
  FakeKernel& kernel_;
};

// The link monitor's table: what the link events read so far said.
class FakeLinks final : public netlink::LinkMonitor {
 public:
  std::map<std::string, int> known;
  std::optional<netlink::LinkState> linkState(const std::string& name) const override {
    auto it = known.find(name);
    if (it == known.end()) return std::nullopt;
    netlink::LinkState state;
    state.name = name;
    state.ifindex = it->second;
    return state;
  }
  std::optional<netlink::LinkState> linkState(int) const override { return std::nullopt; }
  void setListener(Listener) override {}
};

config::VirtualAddress vip(const std::string& prefix, const std::string& dev = "") {
  config::VirtualAddress v;
  v.prefix = *IpPrefix::parse(prefix);
  v.dev = dev;
  return v;
}

class NetlinkVipInstallerTest : public ::testing::Test {
 protected:
  FakeKernel kernel_;
  FakeLinks links_;
  NetlinkVipInstaller installer_{std::make_unique<FakeAddressManager>(kernel_), &links_};
};

TEST_F(NetlinkVipInstallerTest, RefreshesUseTheLinkTableAndNeverLookUpTheName) {
  kernel_.devices = {{2, "eth0"}};
  links_.known = {{"eth0", 2}};
  for (int refresh = 0; refresh < 3; ++refresh) {
    installer_.add({vip("10.0.0.10/32"), vip("10.0.0.11/32")}, "eth0", std::chrono::seconds(2));
  }
  EXPECT_EQ(kernel_.nameLookups, 0);
  ASSERT_EQ(kernel_.requests.size(), 6u);
  for (const netlink::AddressSpec& spec : kernel_.requests) {
    EXPECT_EQ(spec.interface.index, 2);
    EXPECT_EQ(spec.validLifetime, 2u);
  }
}

TEST_F(NetlinkVipInstallerTest, ANameTheTableLacksIsResolvedByTheKernel) {
  kernel_.devices = {{2, "eth0"}, {7, "vrrp.5"}};
  links_.known = {{"eth0", 2}};  // the VMAC's RTM_NEWLINK is not read yet
  installer_.add({vip("10.0.0.10/32", "vrrp.5")}, "eth0", std::nullopt);
  ASSERT_EQ(kernel_.requests.size(), 1u);
  EXPECT_EQ(kernel_.requests[0].interface.index, 0);
  EXPECT_EQ(kernel_.requests[0].interface.name, "vrrp.5");
  EXPECT_EQ(kernel_.nameLookups, 1);
}

TEST_F(NetlinkVipInstallerTest, AStaleIndexIsRetriedOnceByNameForAddAndRemove) {
  // eth0 was deleted and created again as index 9; the table still says 2.
  kernel_.devices = {{9, "eth0"}};
  links_.known = {{"eth0", 2}};
  installer_.add({vip("10.0.0.10/32")}, "eth0", std::chrono::seconds(2));
  installer_.remove({vip("10.0.0.10/32")}, "eth0");
  ASSERT_EQ(kernel_.requests.size(), 4u);
  EXPECT_EQ(kernel_.requests[0].interface.index, 2);
  EXPECT_EQ(kernel_.requests[1].interface.index, 0);  // by name: reaches index 9
  EXPECT_EQ(kernel_.requests[2].interface.index, 2);
  EXPECT_EQ(kernel_.requests[3].interface.index, 0);
  EXPECT_EQ(kernel_.nameLookups, 2);

  // The link events arrive: the table follows and name lookups stop.
  links_.known["eth0"] = 9;
  installer_.add({vip("10.0.0.10/32")}, "eth0", std::chrono::seconds(2));
  EXPECT_EQ(kernel_.requests.back().interface.index, 9);
  EXPECT_EQ(kernel_.nameLookups, 2);
}

TEST(NetlinkVipInstallerWithoutLinksTest, EveryRequestGoesByName) {
  FakeKernel kernel;
  kernel.devices = {{2, "eth0"}};
  NetlinkVipInstaller installer(std::make_unique<FakeAddressManager>(kernel));
  installer.add({vip("10.0.0.10/32")}, "eth0", std::chrono::seconds(2));
  installer.add({vip("10.0.0.10/32")}, "eth0", std::chrono::seconds(2));
  EXPECT_EQ(kernel.nameLookups, 2);
  EXPECT_EQ(kernel.requests.back().interface.name, "eth0");
}

}  // namespace
}  // namespace vigil::vrrp
