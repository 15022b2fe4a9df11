// virtual_rules / static_rules entries: every `ip rule` keyword
// keepalived.conf(5) documents, typed at parse time, and the bad values and
// combinations the kernel would refuse reported at their word.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using testing::errors;
using ::testing::IsEmpty;
using testing::load;

LoadResult staticRules(std::string_view lines) {
  return load("static_rules {\n" + std::string(lines) + "\n}\n");
}

VirtualRule onlyRule(std::string_view line) {
  auto r = staticRules(line);
  EXPECT_THAT(errors(r), IsEmpty());
  if (!r.config || r.config->vrrp.staticRules.size() != 1) {
    ADD_FAILURE() << "expected one rule from: " << line;
    return {};
  }
  return r.config->vrrp.staticRules.front();
}

TEST(VrrpRulesTest, EverySelectorIsTyped) {
  VirtualRule r = onlyRule(
      "not from 192.168.28.0/24 to 192.168.29.0/26 iif p33p1 oif wlan0 tos 0x16 "
      "fwmark 0x18/12 realms 30/20 uidrange 10000-19999 ip_proto UDP sport 10-20 dport 53 "
      "table 6908 suppress_prefixlength 0 suppress_ifgroup 7 preference 39 protocol bird");
  EXPECT_TRUE(r.invert);
  EXPECT_EQ(r.from->toString(), "192.168.28.0/24");
  EXPECT_EQ(r.to->toString(), "192.168.29.0/26");
  EXPECT_EQ(r.iif, "p33p1");
  EXPECT_EQ(r.oif, "wlan0");
  EXPECT_EQ(r.tos, std::optional<uint8_t>(0x16));
  EXPECT_EQ(r.fwmark, std::optional<uint32_t>(0x18));
  EXPECT_EQ(r.fwmask, std::optional<uint32_t>(12));
  EXPECT_EQ(r.realms, std::optional<uint32_t>(30u << 16 | 20u));
  EXPECT_EQ(r.uidRange, (RuleRange{10000, 19999}));
  EXPECT_EQ(r.ipProto, std::optional<uint8_t>(17));
  EXPECT_EQ(r.sport, (RuleRange{10, 20}));
  EXPECT_EQ(r.dport, (RuleRange{53, 53}));
  EXPECT_EQ(r.table, "6908");
  EXPECT_EQ(r.suppressPrefixLength, std::optional<uint32_t>(0));
  EXPECT_EQ(r.suppressIfGroup, std::optional<uint32_t>(7));
  EXPECT_EQ(r.preference, std::optional<uint32_t>(39));
  EXPECT_EQ(r.protocol, std::optional<uint8_t>(12));
  EXPECT_EQ(r.action, VirtualRule::Action::Lookup);
  EXPECT_EQ(r.family(), AF_INET);
}

TEST(VrrpRulesTest, ActionsAndSynonyms) {
  EXPECT_EQ(onlyRule("from all fwmark 3 prohibit").action, VirtualRule::Action::Prohibit);
  EXPECT_EQ(onlyRule("from all unreachable").action, VirtualRule::Action::Unreachable);
  EXPECT_EQ(onlyRule("from all nop priority 5").action, VirtualRule::Action::Nop);
  VirtualRule jump = onlyRule("to 10.0.0.0/8 goto 500 order 100");
  EXPECT_EQ(jump.action, VirtualRule::Action::Goto);
  EXPECT_EQ(jump.gotoTarget, 500u);
  EXPECT_EQ(jump.preference, std::optional<uint32_t>(100));
  EXPECT_EQ(onlyRule("from 10.1.0.0/16 lookup 7 pref 9").table, "7");
  EXPECT_TRUE(onlyRule("iif vrf-blue l3mdev pref 1000").l3mdev);
  EXPECT_EQ(onlyRule("from all dsfield 8 lookup 7").tos, std::optional<uint8_t>(8));
}

TEST(VrrpRulesTest, FamilyComesFromTheAddressesOrInet6) {
  EXPECT_EQ(onlyRule("from 2001:db8::/64 table 10").family(), AF_INET6);
  EXPECT_EQ(onlyRule("inet6 fwmark 1 table 10").family(), AF_INET6);
  EXPECT_EQ(onlyRule("fwmark 1 table 10").family(), AF_INET);
}

// keepalived.conf(5)'s static_rules example, every line.
TEST(VrrpRulesTest, TheManPageExampleParses) {
  auto r = staticRules(R"(from 192.168.2.0/24 table 1
to 192.168.2.0/24 table 1
from 192.168.28.0/24 to 192.168.29.0/26 table small iif p33p1 oif wlan0 tos 22 fwmark 24/12 preference 39 realms 30/20 goto 40
to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999
to 1:2:3:4:6:6:7:0/112 from 8:6:5:4:3:2::/96 l3mdev protocol 12 ip_proto UDP sport 10-20 dport 20-30)");
  EXPECT_THAT(errors(r), IsEmpty());
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->vrrp.staticRules.size(), 5u);
}

TEST(VrrpRulesTest, BadValuesAreErrorsAtTheirWordNamingTheKeyword) {
  auto r = staticRules(R"(from all fwmark 0xZZ table 1
from all tos 300 table 1
from all sport 20-10 table 1
from all uidrange x table 1
from all realms blue table 1
from all ip_proto bogus table 1
from all protocol nonsense table 1
from all iif averyveryverylongname table 1
from all preference -1 table 1
from all suppress_prefixlength 129 table 1
from all goto
from all flowid 3)");
  EXPECT_THAT(
      errors(r),
      ElementsAre(
          "t.conf:2:17: error: 'static_rules' fwmark '0xZZ' is not a mark or MARK/MASK (decimal "
          "or 0x hexadecimal)",
          "t.conf:3:14: error: 'static_rules' tos '300' is not a number 0-255",
          "t.conf:4:16: error: 'static_rules' sport '20-10' is not N or N-M with N <= M <= 65535",
          "t.conf:5:19: error: 'static_rules' uidrange 'x' is not N or N-M with N <= M <= "
          "4294967295",
          "t.conf:6:17: error: 'static_rules' realms 'blue' is not a realm: not a number "
          "0-65535, and not named in rt_realms",
          "t.conf:7:19: error: 'static_rules' ip_proto 'bogus' is not an IP protocol (tcp, udp, "
          "icmp, ...) or 0-255",
          "t.conf:8:19: error: 'static_rules' protocol 'nonsense' is not a protocol name of "
          "rt_protos or a number 0-255",
          "t.conf:9:14: error: 'static_rules' iif 'averyveryverylongname' is not an interface "
          "name of at most 15 bytes",
          "t.conf:10:21: error: 'static_rules' preference -1 is out of range 0-4294967295",
          "t.conf:11:32: error: 'static_rules' suppress_prefixlength 129 is out of range 0-128",
          "t.conf:12:10: error: 'static_rules' option 'goto' needs a value",
          "t.conf:13:10: error: unknown 'static_rules' option 'flowid'"));
}

TEST(VrrpRulesTest, CombinationsTheKernelRefusesAreErrorsAtTheEntry) {
  auto r = load(testing::instance("A", R"(  virtual_rules {
    iif vrf-blue l3mdev table 5
    inet6 from 10.0.0.0/8 table 5
    from 10.0.0.0/8 to 2001:db8::/64 table 5
  }
)"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:5:5: error: 'virtual_rules' entry has both 'l3mdev' and 'table'",
                          "t.conf:6:5: error: 'virtual_rules' entry says inet6 but has an IPv4 "
                          "address",
                          "t.conf:7:5: error: 'virtual_rules' entry mixes IPv4 and IPv6 "
                          "addresses"));
}

TEST(VrrpRulesTest, NoTrackIsForVirtualRulesAndTrackGroupForStaticOnes) {
  EXPECT_THAT(errors(staticRules("from all table 1 no_track")),
              ElementsAre("t.conf:2:18: error: unknown 'static_rules' option 'no_track'"));
  auto r =
      load(testing::instance("A", "  virtual_rules {\n    from all table 1 track_group G\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:5:22: error: unknown 'virtual_rules' option 'track_group'"));
}

// Table and realm names are looked up when the configuration is loaded
// (`vigild -t` too) in iproute2's files (testRouteNames here): an unknown
// one is an error at its word, so it never waits for the install.
TEST(VrrpRulesTest, TableAndRealmNamesAreCheckedAtTheirWord) {
  auto r = load(R"(static_routes {
  10.1.0.0/16 dev lo table vips
  10.2.0.0/16 dev lo table isp9
}
static_rules {
  from 10.1.0.0/16 table small realms edge/core
  from all lookup isp9
  from all realms nowhere table 5
}
)");
  EXPECT_THAT(
      errors(r),
      ElementsAre("t.conf:3:28: error: 'static_routes' table 'isp9' is not a routing table: "
                  "not main, local, default or a number, and not named in rt_tables",
                  "t.conf:7:19: error: 'static_rules' lookup 'isp9' is not a routing "
                  "table: not main, local, default or a number, and not named in "
                  "rt_tables",
                  "t.conf:8:19: error: 'static_rules' realms 'nowhere' is not a realm: not "
                  "a number 0-65535, and not named in rt_realms"));
  auto ok = load(R"(static_rules {
  from 10.1.0.0/16 table small realms edge/core
}
)");
  ASSERT_TRUE(ok.config) << errorSummary(ok);
  EXPECT_EQ(ok.config->vrrp.staticRules[0].realms, std::optional<uint32_t>(12u << 16 | 13u));
}

}  // namespace
}  // namespace vigil::config
