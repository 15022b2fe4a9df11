// The address a VIP entry becomes: `brd ADDR|+|-` and its other options.
#include <gtest/gtest.h>

#include "vrrp/runtime_netlink.h"

namespace vigil::vrrp {
namespace {

using Broadcast = config::VirtualAddress::Broadcast;

config::VirtualAddress vip(const std::string& prefix, Broadcast mode) {
  config::VirtualAddress v;
  v.prefix = *IpPrefix::parse(prefix);
  v.broadcastMode = mode;
  return v;
}

std::string broadcastOf(const config::VirtualAddress& v) {
  auto spec = vipAddressSpec(v, "eth0", std::nullopt);
  return spec.broadcast ? spec.broadcast->toString() : "none";
}

TEST(VipAddressSpecTest, BroadcastPlusSetsTheHostBits) {
  EXPECT_EQ(broadcastOf(vip("192.168.200.19/24", Broadcast::SetHostBits)), "192.168.200.255");
  EXPECT_EQ(broadcastOf(vip("10.1.2.3/8", Broadcast::SetHostBits)), "10.255.255.255");
  EXPECT_EQ(broadcastOf(vip("172.16.5.70/26", Broadcast::SetHostBits)), "172.16.5.127");
}

TEST(VipAddressSpecTest, BroadcastMinusClearsTheHostBits) {
  EXPECT_EQ(broadcastOf(vip("192.168.200.19/24", Broadcast::ClearHostBits)), "192.168.200.0");
  EXPECT_EQ(broadcastOf(vip("172.16.5.70/26", Broadcast::ClearHostBits)), "172.16.5.64");
}

TEST(VipAddressSpecTest, NoComputedBroadcastForPointToPointOrHostPrefixesOrIPv6) {
  EXPECT_EQ(broadcastOf(vip("10.0.0.1/32", Broadcast::SetHostBits)), "none");
  EXPECT_EQ(broadcastOf(vip("10.0.0.1/31", Broadcast::ClearHostBits)), "none");
  EXPECT_EQ(broadcastOf(vip("fd00::1/64", Broadcast::SetHostBits)), "none");
  EXPECT_EQ(broadcastOf(vip("10.0.0.1/24", Broadcast::None)), "none");
}

TEST(VipAddressSpecTest, ExplicitBroadcastAndTheOtherOptions) {
  config::VirtualAddress v = vip("192.168.200.18/24", Broadcast::Address);
  v.broadcast = *IpAddress::parse("192.168.200.250");
  v.dev = "eth2";
  v.scope = "link";
  v.label = "eth2:1";
  auto spec = vipAddressSpec(v, "eth0", std::chrono::seconds(2));
  EXPECT_EQ(spec.broadcast->toString(), "192.168.200.250");
  EXPECT_EQ(spec.interface.name, "eth2");
  EXPECT_EQ(spec.scope, RT_SCOPE_LINK);
  EXPECT_EQ(spec.label, "eth2:1");
  EXPECT_EQ(spec.validLifetime, 2u);
}

}  // namespace
}  // namespace vigil::vrrp
