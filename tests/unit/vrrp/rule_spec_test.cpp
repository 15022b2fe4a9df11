// virtual_rules / static_rules entries as the kernel gets them: `ip rule`'s
// defaults, tables by name, and the text that identifies a rule.
#include "vrrp/rule_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "unit/config/vrrp_test_support.h"

namespace vigil::vrrp {
namespace {

using ::testing::HasSubstr;

Result<netlink::RuleSpec> specOf(std::string_view line) {
  auto loaded = config::testing::load("static_rules {\n" + std::string(line) + "\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), ::testing::IsEmpty());
  if (!loaded.config || loaded.config->vrrp.staticRules.size() != 1) {
    return Error{EINVAL, "not one rule"};
  }
  auto tables = [](std::string_view name) -> std::optional<uint32_t> {
    if (name == "vips") return 1000;
    return std::nullopt;
  };
  return ruleSpecFor(loaded.config->vrrp.staticRules.front(), tables);
}

TEST(RuleSpecTest, ALookupDefaultsToMainAndProtoKeepalived) {
  auto spec = specOf("from 10.1.0.0/16");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_EQ(spec->family, AF_INET);
  EXPECT_EQ(spec->action, FR_ACT_TO_TBL);
  EXPECT_EQ(spec->table, RT_TABLE_MAIN);
  EXPECT_EQ(spec->protocol, netlink::kRouteProtocolKeepalived);
  EXPECT_FALSE(spec->priority);
  EXPECT_EQ(spec->describe(), "from 10.1.0.0/16 lookup main");
}

TEST(RuleSpecTest, EveryFieldReachesTheSpecAndItsText) {
  auto spec = specOf(
      "not from 10.1.0.0/16 to 10.2.0.0/16 iif eth0 oif eth1 tos 0x10 fwmark 0x18/0xff "
      "uidrange 100-200 ip_proto tcp sport 1000-2000 dport 80 table vips "
      "suppress_prefixlength 0 realms 3/4 preference 200 protocol static");
  ASSERT_TRUE(spec) << spec.error().describe();
  EXPECT_TRUE(spec->invert);
  EXPECT_EQ(spec->table, 1000u);
  EXPECT_EQ(spec->protocol, RTPROT_STATIC);
  EXPECT_EQ(spec->realms, std::optional<uint32_t>(3u << 16 | 4u));
  EXPECT_EQ(spec->describe(),
            "not from 10.1.0.0/16 to 10.2.0.0/16 tos 0x10 fwmark 0x18/0xff iif eth0 oif eth1 "
            "uidrange 100-200 ipproto 6 sport 1000-2000 dport 80 lookup 1000 "
            "suppress_prefixlength 0 realms 3/4 pref 200 proto static");
}

TEST(RuleSpecTest, ActionsOtherThanALookupTakeNoTable) {
  auto jump = specOf("inet6 fwmark 7 goto 300 pref 100");
  ASSERT_TRUE(jump);
  EXPECT_EQ(jump->family, AF_INET6);
  EXPECT_EQ(jump->action, FR_ACT_GOTO);
  EXPECT_EQ(jump->table, 0u);
  EXPECT_EQ(jump->describe(), "inet6 from all fwmark 0x7 goto 300 pref 100");
  auto drop = specOf("to 10.9.0.0/16 blackhole table small");
  ASSERT_TRUE(drop) << "a table written beside an action is not looked up";
  EXPECT_EQ(drop->action, FR_ACT_BLACKHOLE);
  auto l3 = specOf("iif vrf-blue l3mdev");
  ASSERT_TRUE(l3);
  EXPECT_TRUE(l3->l3mdev);
  EXPECT_EQ(l3->table, 0u);
}

TEST(RuleSpecTest, AnUnknownTableNameIsAnErrorNamingIt) {
  // Known when the configuration was loaded (config::testing), gone from
  // the rt_tables the install reads.
  auto spec = specOf("from 10.1.0.0/16 table small");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().describe(), HasSubstr("unknown table 'small'"));
}

TEST(RuleSpecTest, TheTextTellsDifferentRulesApartAndSameRulesTogether) {
  EXPECT_EQ(specOf("from 10.1.0.0/16 lookup 5 pref 10")->describe(),
            specOf("priority 10 from 10.1.0.0/16 table 5")->describe());
  EXPECT_NE(specOf("from 10.1.0.0/16 table 5")->describe(),
            specOf("from 10.1.0.0/16 table 5 pref 10")->describe());
  EXPECT_NE(specOf("from 10.1.0.0/16 table 5")->describe(),
            specOf("not from 10.1.0.0/16 table 5")->describe());
}

}  // namespace
}  // namespace vigil::vrrp
