#include "check/ha_suspension.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace vigil::check {
namespace {

netlink::LocalAddress at(int ifindex, const char* text) {
  return {ifindex, *IpAddress::parse(text)};
}

// Service 0: 10.0.0.1 with ha_suspend; 1: 10.0.0.2 without; 2: a group
// 10.0.1.1-10.0.1.9 with ha_suspend; 3: an IPv6 one with ha_suspend.
std::shared_ptr<const config::Config> services() {
  auto r = config::loadConfigText("t.conf", R"(
virtual_server_group G {
  10.0.1.1-9 80
}
virtual_server 10.0.0.1 80 {
  protocol TCP
  ha_suspend
  real_server 192.168.0.1 80 { }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  real_server 192.168.0.1 80 { }
}
virtual_server group G {
  protocol TCP
  ha_suspend
  real_server 192.168.0.1 80 { }
}
virtual_server 2001:db8::1 80 {
  protocol TCP
  ha_suspend
  real_server 2001:db8::100 80 { }
}
)",
                                  config::LoadOptions{});
  EXPECT_NE(r.config, nullptr);
  return r.config;
}

TEST(HaSuspension, ServicesWithHaSuspendAndNoLocalAddressAreSuspended) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_TRUE(ha.suspended(0));
  EXPECT_FALSE(ha.suspended(1));  // no ha_suspend: never
  EXPECT_TRUE(ha.suspended(2));
  EXPECT_TRUE(ha.suspended(3));
  EXPECT_EQ(ha.suspendedCount(), 3u);
}

TEST(HaSuspension, AddingTheAddressResumesOnlyItsService) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_EQ(ha.addressAdded(at(2, "10.0.0.1")), std::vector<size_t>{0});
  EXPECT_FALSE(ha.suspended(0));
  EXPECT_TRUE(ha.suspended(2));
  EXPECT_EQ(ha.addressRemoved(at(2, "10.0.0.1")), std::vector<size_t>{0});
  EXPECT_TRUE(ha.suspended(0));
}

TEST(HaSuspension, UnrelatedAndRepeatedEventsFlipNothing) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.0.2")).empty());  // service without ha_suspend
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.0.9")).empty());
  EXPECT_EQ(ha.addressAdded(at(2, "10.0.0.1")).size(), 1u);
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.0.1")).empty());    // the same again
  EXPECT_TRUE(ha.addressRemoved(at(3, "10.0.0.1")).empty());  // never was on ifindex 3
  EXPECT_FALSE(ha.suspended(0));
}

TEST(HaSuspension, AnAddressOnTwoInterfacesStaysUntilBothGo) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_EQ(ha.addressAdded(at(2, "10.0.0.1")).size(), 1u);
  EXPECT_TRUE(ha.addressAdded(at(3, "10.0.0.1")).empty());
  EXPECT_TRUE(ha.addressRemoved(at(2, "10.0.0.1")).empty());
  EXPECT_FALSE(ha.suspended(0));
  EXPECT_EQ(ha.addressRemoved(at(3, "10.0.0.1")), std::vector<size_t>{0});
  EXPECT_TRUE(ha.suspended(0));
}

TEST(HaSuspension, AGroupIsPresentWhileAnyAddressOfItsRangesIsLocal) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.1.10")).empty());  // just past the range
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.1.0")).empty());   // just before it
  EXPECT_EQ(ha.addressAdded(at(2, "10.0.1.5")), std::vector<size_t>{2});
  EXPECT_TRUE(ha.addressAdded(at(2, "10.0.1.9")).empty());
  EXPECT_TRUE(ha.addressRemoved(at(2, "10.0.1.5")).empty());  // .9 is still there
  EXPECT_EQ(ha.addressRemoved(at(2, "10.0.1.9")), std::vector<size_t>{2});
}

TEST(HaSuspension, Ipv6AddressesMatchTheirOwnFamilyOnly) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  EXPECT_EQ(ha.addressAdded(at(2, "2001:db8::1")), std::vector<size_t>{3});
  EXPECT_FALSE(ha.suspended(3));
  EXPECT_TRUE(ha.suspended(0));
}

TEST(HaSuspension, ReconfiguringKeepsTheLocalAddresses) {
  auto config = services();
  HaSuspension ha;
  ha.configure(config->lvs);
  (void)ha.addressAdded(at(2, "10.0.0.1"));
  ha.configure(config->lvs);
  EXPECT_FALSE(ha.suspended(0));
  EXPECT_TRUE(ha.suspended(2));
}

}  // namespace
}  // namespace vigil::check
