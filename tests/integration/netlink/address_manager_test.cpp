#include <gtest/gtest.h>
#include <linux/if_addr.h>

#include <algorithm>
#include <chrono>

#include "core/netlink/netlink_address_manager.h"
#include "integration/netlink/veth_lab.h"

namespace vigil::netlink {
namespace {

using namespace std::chrono_literals;
using test::VethLab;

std::optional<InstalledAddress> find(NetlinkAddressManager& mgr, const IpPrefix& prefix) {
  auto list = mgr.list(InterfaceRef{"va"}, prefix.address.family());
  if (!list) {
    return std::nullopt;
  }
  for (const auto& a : *list) {
    if (a.address.address == prefix.address) {
      return a;
    }
  }
  return std::nullopt;
}

AddressSpec vip(const char* text, uint32_t lifetime) {
  AddressSpec spec;
  spec.interface.name = "va";
  spec.address = *IpPrefix::parse(text);
  spec.validLifetime = lifetime;
  spec.preferredLifetime = lifetime;
  spec.noDad = spec.address.address.isV6();
  return spec;
}

// Refreshing a 2 s lifetime keeps the address; once refreshing stops, the
// kernel removes it within the bound the VIP design promises.
void expectRefreshKeepsAndExpiryClears(const char* text) {
  VethLab lab;
  ASSERT_TRUE(lab.ok);
  test::NetNsEnter enter(lab.left);
  ASSERT_TRUE(enter.ok());
  auto mgr = NetlinkAddressManager::create();
  ASSERT_TRUE(mgr) << mgr.error().describe();
  AddressSpec spec = vip(text, 2);

  ASSERT_TRUE(mgr->add(spec));
  auto start = std::chrono::steady_clock::now();
  bool alwaysPresent = true;
  while (std::chrono::steady_clock::now() - start < 3500ms) {
    Status refreshed = mgr->add(spec);
    ASSERT_TRUE(refreshed) << refreshed.error().describe();
    auto installed = find(*mgr, spec.address);
    alwaysPresent = alwaysPresent && installed.has_value();
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_TRUE(alwaysPresent) << "a refreshed address expired";

  auto installed = find(*mgr, spec.address);
  ASSERT_TRUE(installed);
  EXPECT_LE(installed->validLifetime, 2u);
  if (spec.address.address.isV6()) {
    EXPECT_TRUE(installed->flags & IFA_F_NODAD);
    EXPECT_FALSE(installed->flags & IFA_F_TENTATIVE);
  }

  auto gone = test::waitFor(5000ms, [&] { return !find(*mgr, spec.address); });
  ASSERT_TRUE(gone) << "address outlived its lifetime";
  EXPECT_GE(gone->count(), 1000);
}

TEST(NetlinkAddressManager, Ipv4LifetimeRefreshedThenExpires) {
  VIGIL_REQUIRE_ROOT();
  expectRefreshKeepsAndExpiryClears("10.77.0.10/24");
}

TEST(NetlinkAddressManager, Ipv6LifetimeRefreshedThenExpires) {
  VIGIL_REQUIRE_ROOT();
  expectRefreshKeepsAndExpiryClears("fd00:77::10/64");
}

TEST(NetlinkAddressManager, AddsWithLabelBroadcastAndRemoves) {
  VIGIL_REQUIRE_ROOT();
  VethLab lab;
  ASSERT_TRUE(lab.ok);
  test::NetNsEnter enter(lab.left);
  auto mgr = NetlinkAddressManager::create();
  ASSERT_TRUE(mgr);
  AddressSpec spec = vip("10.77.1.5/24", kForeverLifetime);
  spec.label = "va:vip";
  spec.broadcast = IpAddress::parse("10.77.1.255");
  ASSERT_TRUE(mgr->add(spec));

  auto installed = find(*mgr, spec.address);
  ASSERT_TRUE(installed);
  EXPECT_EQ(installed->label, "va:vip");
  EXPECT_EQ(installed->address.length, 24u);
  EXPECT_EQ(installed->validLifetime, kForeverLifetime);
  EXPECT_NE(lab.left.exec("ip -4 addr show dev va").output.find("brd 10.77.1.255"),
            std::string::npos);

  ASSERT_TRUE(mgr->remove(spec));
  EXPECT_FALSE(find(*mgr, spec.address));
  Status again = mgr->remove(spec);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("10.77.1.5/24 on va"), std::string::npos);
}

TEST(NetlinkAddressManager, UnknownInterfaceNamesIt) {
  VIGIL_REQUIRE_ROOT();
  test::NetNs ns;
  test::NetNsEnter enter(ns);
  auto mgr = NetlinkAddressManager::create();
  ASSERT_TRUE(mgr);
  AddressSpec spec = vip("10.77.2.1/32", kForeverLifetime);
  spec.interface.name = "nosuch0";
  Status st = mgr->add(spec);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ENODEV);
  EXPECT_NE(st.error().message.find("nosuch0"), std::string::npos);
}

}  // namespace
}  // namespace vigil::netlink
