#include <gtest/gtest.h>
#include <sys/socket.h>

#include "vrrp/vmac_plan.h"

// Which link-local address an IPv6 instance's VMAC is given to send its
// adverts from (RFC 5798 §5.1.2.1).
namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

config::VrrpInstance ipv6Instance() {
  config::VrrpInstance c;
  c.name = "VI_6";
  c.interface = "eth0";
  c.vrid = 62;
  c.family = AF_INET6;
  c.useVmac = true;
  return c;
}

TEST(VmacLinkLocal, AnIpv6VmacGetsTheSourceAsScopeLinkSlash64) {
  auto address = vmacLinkLocal(ipv6Instance(), "vrrp", ip("fe80::1:2ff:fe03:405"));
  ASSERT_TRUE(address);
  EXPECT_EQ(address->prefix.toString(), "fe80::1:2ff:fe03:405/64");
  EXPECT_EQ(address->dev, "vrrp.62");
  EXPECT_EQ(address->scope, "link");
  EXPECT_TRUE(address->noDad);
}

TEST(VmacLinkLocal, ANamedVmacCarriesIt) {
  config::VrrpInstance c = ipv6Instance();
  c.vmacName = "vmac6";
  EXPECT_EQ(vmacLinkLocal(c, "vrrp", ip("fe80::9"))->dev, "vmac6");
}

TEST(VmacLinkLocal, NoneWhereAdvertsDoNotLeaveFromAnIpv6Vmac) {
  EXPECT_FALSE(vmacLinkLocal(ipv6Instance(), "vrrp", ip("fd00::1")));  // not link-local
  config::VrrpInstance base = ipv6Instance();
  base.vmacXmitBase = true;  // adverts leave from eth0, which has it
  EXPECT_FALSE(vmacLinkLocal(base, "vrrp", ip("fe80::1")));
  config::VrrpInstance noVmac = ipv6Instance();
  noVmac.useVmac = false;
  EXPECT_FALSE(vmacLinkLocal(noVmac, "vrrp", ip("fe80::1")));
  config::VrrpInstance v4 = ipv6Instance();
  v4.family = AF_INET;
  EXPECT_FALSE(vmacLinkLocal(v4, "vrrp", ip("10.0.0.1")));
}

}  // namespace
}  // namespace vigil::vrrp
