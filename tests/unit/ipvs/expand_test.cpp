#include "ipvs/expand.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/test_paths.h"
#include "unit/config/lvs_test_support.h"
#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs {
namespace {

using config::lvstest::load;
using config::lvstest::lvsOf;
using config::lvstest::onlyService;
using test::dest;
using test::tcp;

std::vector<std::string> keyTexts(const std::vector<ServiceKey>& keys) {
  std::vector<std::string> out;
  for (const ServiceKey& key : keys) {
    out.push_back(toString(key));
  }
  return out;
}

std::vector<std::string> expandOnly(const std::string& text) {
  auto r = load(text);
  const config::LvsModel& lvs = lvsOf(r);
  if (lvs.virtualServers.empty()) {
    return {};
  }
  return keyTexts(serviceKeys(lvs.virtualServers.front(), lvs));
}

TEST(ExpandTest, AddressServiceIsOneKey) {
  EXPECT_EQ(
      expandOnly("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80\n}\n"),
      (std::vector<std::string>{"TCP  10.0.0.1:80"}));
  EXPECT_EQ(expandOnly("virtual_server 2001:db8::1 53 {\n  protocol UDP\n"
                       "  real_server 2001:db8::2 53\n}\n"),
            (std::vector<std::string>{"UDP  [2001:db8::1]:53"}));
}

TEST(ExpandTest, FwmarkServiceTakesItsFamily) {
  EXPECT_EQ(expandOnly("virtual_server fwmark 7 {\n  lb_kind DR\n  real_server 2001:db8::2\n}\n"),
            (std::vector<std::string>{"FWM  7 IPv6"}));
  EXPECT_EQ(expandOnly("virtual_server fwmark 8 {\n  lb_kind DR\n  real_server 10.0.0.2\n}\n"),
            (std::vector<std::string>{"FWM  8"}));
}

TEST(ExpandTest, GroupExpandsRangesAndFwmarks) {
  EXPECT_EQ(
      expandOnly(R"(virtual_server_group web {
  10.0.0.1-10.0.0.3 80
  10.0.1.254-10.0.2.1 443
  10.0.0.2 80
  fwmark 3
  fwmark 4 inet6
}
virtual_server group web {
  protocol TCP
  lb_kind TUN
  real_server 10.0.0.9 80 {
  }
}
)"),
      (std::vector<std::string>{"TCP  10.0.0.1:80", "TCP  10.0.0.2:80", "TCP  10.0.0.3:80",
                                "TCP  10.0.1.254:443", "TCP  10.0.1.255:443", "TCP  10.0.2.0:443",
                                "TCP  10.0.2.1:443", "FWM  3", "FWM  4 IPv6"}));
}

TEST(ExpandTest, GroupExpandsIpv6RangesAcrossAGroupBoundary) {
  EXPECT_EQ(expandOnly(R"(virtual_server_group six {
  2001:db8::fe-101 80
}
virtual_server group six {
  protocol SCTP
  real_server 2001:db8::9 80 {
  }
}
)"),
            (std::vector<std::string>{"SCTP [2001:db8::fe]:80", "SCTP [2001:db8::ff]:80",
                                      "SCTP [2001:db8::100]:80", "SCTP [2001:db8::101]:80"}));
}

TEST(ExpandTest, OversizedRangeStopsAtTheCap) {
  auto r = load(R"(virtual_server_group big {
  10.0.0.0/8 80
}
virtual_server group big {
  protocol TCP
  real_server 10.0.0.9 80 {
  }
}
)");
  const config::LvsModel& lvs = lvsOf(r);
  ASSERT_FALSE(lvs.virtualServers.empty());
  std::vector<ServiceKey> keys = serviceKeys(lvs.virtualServers.front(), lvs);
  ASSERT_EQ(keys.size(), kMaxGroupRangeAddresses);
  EXPECT_EQ(toString(keys.back()), "TCP  10.0.255.255:80");
}

TEST(ExpandTest, ServiceCarriesSchedulerFlagsAndPersistence) {
  auto r = load(config::lvstest::service(
      "  lb_algo sh\n  sh-port\n  sh-fallback\n  persistence_timeout 600\n"
      "  persistence_granularity 255.255.255.0\n  persistence_engine sip\n"));
  Service s = serviceFrom(onlyService(r));
  EXPECT_EQ(toString(s, AF_INET),
            "sh (sh-fallback,sh-port) persistent 600 mask 255.255.255.0 pe sip");
}

TEST(ExpandTest, DefaultServiceIsWlcForOneClientAddress) {
  auto r = load(config::lvstest::service(""));
  Service s = serviceFrom(onlyService(r));
  EXPECT_EQ(s.scheduler, "wlc");
  EXPECT_EQ(s.netmaskPrefix, 32);
  EXPECT_FALSE(s.persistent());
  auto six =
      load("virtual_server 2001:db8::1 80 {\n  protocol TCP\n  real_server 2001:db8::2 80\n}\n");
  EXPECT_EQ(serviceFrom(onlyService(six)).netmaskPrefix, 128);
}

TEST(ExpandTest, UdpOnePacket) {
  auto r =
      load("virtual_server 10.0.0.1 53 {\n  protocol UDP\n  ops\n  real_server 10.0.0.2 53\n}\n");
  EXPECT_TRUE(serviceFrom(onlyService(r)).onePacket);
}

TEST(ExpandTest, RealServersBecomeDestinationsAtTheirEffectiveWeight) {
  auto r = load(R"(virtual_server 10.0.0.1 80 {
  protocol TCP
  lvs_method TUN type gue port 6080 remcsum
  real_server 10.0.0.2 80 {
    weight 5
    uthreshold 100
    lthreshold 10
  }
  real_server 10.0.0.3 8080 {
    lvs_method NAT
  }
  real_server 10.0.0.4 80 {
    lvs_method TUN type gre csum
  }
}
)");
  const config::VirtualServer& vs = onlyService(r);
  ASSERT_EQ(vs.realServers.size(), 3u);
  EXPECT_EQ(destinationKey(vs.realServers[1]), dest("10.0.0.3", 8080));
  EXPECT_EQ(toString(destinationFrom(vs.realServers[0], 3)),
            "Tunnel 3 gue port 6080 remcsum uthreshold 100 lthreshold 10");
  EXPECT_EQ(toString(destinationFrom(vs.realServers[1], 1)), "Masq 1");
  EXPECT_EQ(destinationFrom(vs.realServers[1], 1), Destination{});
  EXPECT_EQ(toString(destinationFrom(vs.realServers[2], 0)), "Tunnel 0 gre csum");
}

TEST(ExpandTest, SorryServerBecomesADestination) {
  auto r =
      load(config::lvstest::service("  sorry_server_lvs_method DR\n  sorry_server 10.0.0.9 80\n"));
  const config::VirtualServer& vs = onlyService(r);
  ASSERT_TRUE(vs.sorryServer);
  EXPECT_EQ(destinationKey(*vs.sorryServer), dest("10.0.0.9", 80));
  EXPECT_EQ(toString(destinationFrom(*vs.sorryServer)), "Route 1");
  EXPECT_EQ(toString(destinationFrom(*vs.sorryServer, 0)), "Route 0");
}

}  // namespace
}  // namespace vigil::ipvs

namespace vigil::ipvs {
namespace {

std::string readDocBlock(size_t index) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/doc/dataplane.md");
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  size_t at = 0;
  for (size_t i = 0; i <= index; ++i) {
    at = text.find("```\n", at);
    if (at == std::string::npos) {
      return "";
    }
    size_t end = text.find("```\n", at + 4);
    if (i == index) {
      return text.substr(at + 4, end - at - 4);
    }
    at = end + 4;
  }
  return "";
}

// The operator page's example: its configuration, every real server up at its
// configured weight, gives its table.
TEST(ExpandTest, DataplaneDocExample) {
  auto r = load(readDocBlock(0));
  const config::LvsModel& lvs = lvsOf(r);
  ASSERT_EQ(lvs.virtualServers.size(), 1u);
  const config::VirtualServer& vs = lvs.virtualServers.front();
  IpvsState state;
  for (const ServiceKey& key : serviceKeys(vs, lvs)) {
    ServiceEntry& entry = state.services[key];
    entry.service = serviceFrom(vs);
    for (const config::RealServer& rs : vs.realServers) {
      entry.destinations[destinationKey(rs)] = destinationFrom(rs, rs.weight);
    }
  }
  EXPECT_EQ(toText(state), readDocBlock(1));
}

}  // namespace
}  // namespace vigil::ipvs
