#include "core/netlink/macvlan_manager.h"

#include <gtest/gtest.h>
#include <net/if.h>

#include "integration/netlink/veth_lab.h"
#include "vrrp/virtual_mac.h"

namespace vigil::netlink {
namespace {

TEST(NetlinkMacvlanManager, CreatesPrivateMacvlanWithVrrpMacAndRemovesIt) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  test::NetNsEnter enter(lab.left);
  NetlinkMacvlanManager mgr;

  auto ifindex = mgr.create("vrrp.42", "va", vrrp::virtualMac(AF_INET, 42));
  ASSERT_TRUE(ifindex) << ifindex.error().describe();
  EXPECT_EQ(*ifindex, static_cast<int>(if_nametoindex("vrrp.42")));
  std::string shown = lab.left.exec("ip -d link show vrrp.42").output;
  EXPECT_NE(shown.find("00:00:5e:00:01:2a"), std::string::npos) << shown;
  EXPECT_NE(shown.find("macvlan mode private"), std::string::npos) << shown;
  EXPECT_NE(shown.find("@va"), std::string::npos) << shown;
  EXPECT_NE(shown.find(",UP"), std::string::npos) << shown;

  auto twice = mgr.create("vrrp.42", "va", vrrp::virtualMac(AF_INET, 42));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, EEXIST);

  ASSERT_TRUE(mgr.remove("vrrp.42"));
  EXPECT_EQ(if_nametoindex("vrrp.42"), 0u);
  EXPECT_FALSE(mgr.remove("vrrp.42"));
}

TEST(NetlinkMacvlanManager, MissingBaseNamesIt) {
  VIGIL_REQUIRE_ROOT();
  test::NetNs ns;
  test::NetNsEnter enter(ns);
  NetlinkMacvlanManager mgr;
  auto created = mgr.create("vrrp.1", "nosuch0", vrrp::virtualMac(AF_INET6, 1));
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("nosuch0"), std::string::npos);
}

}  // namespace
}  // namespace vigil::netlink
