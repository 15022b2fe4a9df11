#include "ipvs/model.h"

#include <gtest/gtest.h>

#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs {
namespace {

using test::dest;
using test::ip;
using test::tcp;
using test::udp;
using test::weighted;

TEST(IpvsModelTest, ServiceKeysNameServicesAsIpvsadmDoes) {
  EXPECT_EQ(toString(tcp("10.0.0.1", 80)), "TCP  10.0.0.1:80");
  EXPECT_EQ(toString(udp("2001:db8::1", 53)), "UDP  [2001:db8::1]:53");
  EXPECT_EQ(toString(ServiceKey::forAddress(Protocol::Sctp, ip("10.0.0.1"), 0)), "SCTP 10.0.0.1:0");
  EXPECT_EQ(toString(ServiceKey::forFwmark(AF_INET, 7)), "FWM  7");
  EXPECT_EQ(toString(ServiceKey::forFwmark(AF_INET6, 7)), "FWM  7 IPv6");
}

TEST(IpvsModelTest, FwmarkKeysCarryOnlyFamilyAndMark) {
  ServiceKey key = ServiceKey::forFwmark(AF_INET6, 3);
  EXPECT_TRUE(key.isFwmark());
  EXPECT_EQ(key.protocol, Protocol::None);
  EXPECT_TRUE(key.address.empty());
  EXPECT_EQ(key.port, 0);
  EXPECT_NE(key, ServiceKey::forFwmark(AF_INET, 3));
  EXPECT_FALSE(tcp("10.0.0.1", 80).isFwmark());
}

TEST(IpvsModelTest, KeysOrderByFamilyFirst) {
  EXPECT_LT(tcp("10.0.0.9", 80), tcp("2001:db8::1", 80));
  EXPECT_LT(tcp("10.0.0.1", 80), tcp("10.0.0.1", 443));
  EXPECT_LT(dest("10.0.0.1", 80), dest("10.0.0.2", 80));
}

TEST(IpvsModelTest, ServiceTextShowsEveryFlag) {
  Service s;
  s.scheduler = "sh";
  s.schedulerFlags = kSchedFlag1 | kSchedFlag2;
  s.persistenceTimeout = 300;
  s.netmaskPrefix = 24;
  s.persistenceEngine = "sip";
  s.onePacket = true;
  s.hashed = true;
  EXPECT_EQ(toString(s, AF_INET),
            "sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0 pe sip ops hashed");
  Service v6;
  v6.netmaskPrefix = 64;
  EXPECT_EQ(toString(v6, AF_INET6), "wlc mask 64");
  v6.netmaskPrefix = 128;
  EXPECT_EQ(toString(v6, AF_INET6), "wlc");
}

TEST(IpvsModelTest, DestinationTextShowsTunnelAndThresholds) {
  Destination d = weighted(5, ForwardingMethod::Tunnel);
  d.tunnelType = TunnelType::Gue;
  d.tunnelPort = 6080;
  d.tunnelChecksum = TunnelChecksum::RemoteChecksum;
  d.upperThreshold = 100;
  d.lowerThreshold = 10;
  EXPECT_EQ(toString(d), "Tunnel 5 gue port 6080 remcsum uthreshold 100 lthreshold 10");
  EXPECT_EQ(toString(weighted(0, ForwardingMethod::DirectRouting)), "Route 0");
}

TEST(IpvsModelTest, TableTextLooksLikeIpvsadmList) {
  IpvsState state;
  Service persistent = test::scheduler("rr");
  persistent.persistenceTimeout = 50;
  state.services[tcp("10.0.0.100", 80)] = {
      persistent, {{dest("10.0.0.3", 80), weighted(2)}, {dest("10.0.0.2", 80), weighted(1)}}};
  state.services[ServiceKey::forFwmark(AF_INET, 1)] = {
      test::scheduler("wlc"),
      {{dest("10.0.0.5", 0), weighted(1, ForwardingMethod::DirectRouting)}}};
  Service v6 = test::scheduler("wrr");
  v6.netmaskPrefix = 128;
  state.services[udp("2001:db8::1", 53)] = {v6, {{dest("2001:db8::2", 53), weighted(3)}}};

  EXPECT_EQ(toText(state),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight\n"
            "TCP  10.0.0.100:80 rr persistent 50\n"
            "  -> 10.0.0.2:80                  Masq    1\n"
            "  -> 10.0.0.3:80                  Masq    2\n"
            "FWM  1 wlc\n"
            "  -> 10.0.0.5:0                   Route   1\n"
            "UDP  [2001:db8::1]:53 wrr\n"
            "  -> [2001:db8::2]:53             Masq    3\n");
}

// Lines of `ipvsadm -Ln` in the qemu guest (tests/vm/data/ipvs_table.expected)
// with the connection counters cut off; vigil adds the tunnel type, and orders
// services by key (family first) where ipvsadm lists fwmark services last.
TEST(IpvsModelTest, TableTextMatchesIpvsadmLines) {
  IpvsState state;
  Service lblcr = test::scheduler("lblcr");
  lblcr.persistenceTimeout = 300;
  lblcr.netmaskPrefix = 24;
  Destination gre = weighted(1, ForwardingMethod::Tunnel);
  gre.tunnelType = TunnelType::Gre;
  state.services[tcp("10.10.0.6", 80)] = {lblcr, {{dest("10.20.6.1", 80), gre}}};
  state.services[ServiceKey::forAddress(Protocol::Sctp, ip("10.10.0.9"), 5060)] = {
      test::scheduler("mh"), {{dest("10.20.9.1", 5060), weighted(1)}}};
  Service nq = test::scheduler("nq");
  nq.persistenceTimeout = 120;
  nq.netmaskPrefix = 64;
  state.services[udp("2001:db8:10::2", 53)] = {
      nq, {{dest("2001:db8:20::21", 53), weighted(1, ForwardingMethod::DirectRouting)}}};
  Service ovf = test::scheduler("ovf");
  ovf.netmaskPrefix = 128;
  state.services[ServiceKey::forFwmark(AF_INET6, 2)] = {
      ovf, {{dest("2001:db8:20::31", 0), weighted(1, ForwardingMethod::Tunnel)}}};

  EXPECT_EQ(toText(state),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight\n"
            "TCP  10.10.0.6:80 lblcr persistent 300 mask 255.255.255.0\n"
            "  -> 10.20.6.1:80                 Tunnel  1 gre\n"
            "SCTP 10.10.0.9:5060 mh\n"
            "  -> 10.20.9.1:5060               Masq    1\n"
            "UDP  [2001:db8:10::2]:53 nq persistent 120 mask 64\n"
            "  -> [2001:db8:20::21]:53         Route   1\n"
            "FWM  2 IPv6 ovf\n"
            "  -> [2001:db8:20::31]:0          Tunnel  1 ipip\n");
}

TEST(IpvsModelTest, OpsNameTheirServiceAndDestination) {
  Op add = AddDestination{tcp("10.0.0.1", 80), dest("10.0.0.2", 80), weighted(3)};
  EXPECT_EQ(toString(add), "add dest TCP  10.0.0.1:80 -> 10.0.0.2:80 Masq 3");
  EXPECT_EQ(serviceOf(add), tcp("10.0.0.1", 80));
  Op del = DeleteService{ServiceKey::forFwmark(AF_INET, 9)};
  EXPECT_EQ(toString(del), "delete service FWM  9");
  EXPECT_EQ(toString(Op{EditService{tcp("10.0.0.1", 80), test::scheduler("rr")}}),
            "edit service TCP  10.0.0.1:80 rr");
}

}  // namespace
}  // namespace vigil::ipvs
