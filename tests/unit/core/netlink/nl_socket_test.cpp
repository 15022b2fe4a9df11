#include "core/netlink/nl_socket.h"

#include <gtest/gtest.h>
#include <netlink/addr.h>
#include <netlink/errno.h>

#include "core/netlink/route_manager.h"

namespace vigil::netlink {
namespace {

TEST(NlError, MapsLibnlCodesBackToErrno) {
  EXPECT_EQ(nlError(-NLE_EXIST, "x").code, EEXIST);
  EXPECT_EQ(nlError(-NLE_NODEV, "x").code, ENODEV);
  EXPECT_EQ(nlError(-NLE_NOADDR, "x").code, EADDRNOTAVAIL);
  EXPECT_EQ(nlError(-NLE_PERM, "x").code, EPERM);
  EXPECT_EQ(nlError(-NLE_OBJ_NOTFOUND, "x").code, ENOENT);
  EXPECT_EQ(nlError(-NLE_FAILURE, "x").code, EIO);
  EXPECT_EQ(nlError(-NLE_EXIST, "adding address 10.0.0.1/24 on eth0").message,
            "adding address 10.0.0.1/24 on eth0");
}

TEST(NlAddr, CarriesAddressAndPrefix) {
  NlAddrPtr addr = toNlAddr(*IpAddress::parse("fd00::5"), 64);
  ASSERT_TRUE(addr);
  EXPECT_EQ(nl_addr_get_family(addr.get()), AF_INET6);
  EXPECT_EQ(nl_addr_get_prefixlen(addr.get()), 64u);
  EXPECT_EQ(nl_addr_get_len(addr.get()), 16u);
}

TEST(RouteSpec, DescribeNamesWhatFailed) {
  RouteSpec route;
  route.destination = *IpPrefix::parse("10.88.0.0/16");
  route.gateway = IpAddress::parse("10.0.0.1");
  route.device = InterfaceRef{"eth0"};
  route.table = 100;
  EXPECT_EQ(route.describe(), "10.88.0.0/16 via 10.0.0.1 dev eth0 table 100");
  EXPECT_EQ((InterfaceRef{"", 7}.describe()), "ifindex 7");
}

}  // namespace
}  // namespace vigil::netlink
