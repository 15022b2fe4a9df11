#include "config/parse_context.h"

#include <gtest/gtest.h>

namespace vigil::config {
namespace {

class ParseContextTest : public ::testing::Test {
 protected:
  Token tok(std::string text) { return Token{Token::Kind::Word, std::move(text), {&file_, 3, 7}}; }
  std::string lastMessage() const { return diagnostics_.all().back().format(); }

  std::string file_ = "k.conf";
  Diagnostics diagnostics_;
  ParseContext ctx_{diagnostics_, false};
};

TEST_F(ParseContextTest, IntegerInRange) {
  EXPECT_EQ(ctx_.integer(tok("255"), "priority", 1, 255), 255);
  EXPECT_FALSE(diagnostics_.hasErrors());
}

TEST_F(ParseContextTest, IntegerOutOfRangeNamesTheRange) {
  EXPECT_FALSE(ctx_.integer(tok("300"), "priority", 1, 255));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: priority 300 is out of range 1-255");
}

TEST_F(ParseContextTest, IntegerGarbage) {
  EXPECT_FALSE(ctx_.integer(tok("12x"), "weight", 0, 10));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: weight must be an integer, got '12x'");
  EXPECT_FALSE(ctx_.integer(tok("99999999999999999999999"), "weight", 0, 10));
  EXPECT_EQ(lastMessage(),
            "k.conf:3:7: error: weight 99999999999999999999999 is out of range 0-10");
}

TEST_F(ParseContextTest, Booleans) {
  for (const char* t : {"on", "true", "yes"}) {
    EXPECT_EQ(ctx_.boolean(tok(t), "x"), true) << t;
  }
  for (const char* f : {"off", "false", "no"}) {
    EXPECT_EQ(ctx_.boolean(tok(f), "x"), false) << f;
  }
  EXPECT_FALSE(ctx_.boolean(tok("maybe"), "'accept'"));
  EXPECT_EQ(lastMessage(),
            "k.conf:3:7: error: 'accept' must be one of on|off|true|false|yes|no, got 'maybe'");
}

TEST_F(ParseContextTest, SecondsWithFractions) {
  using std::chrono::microseconds;
  auto d = ctx_.seconds(tok("0.01"), "advert_int", microseconds(10000), std::chrono::seconds(40));
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, microseconds(10000));
  EXPECT_FALSE(
      ctx_.seconds(tok("41"), "advert_int", microseconds(10000), std::chrono::seconds(40)));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: advert_int 41 is out of range 0.01-40 seconds");
  EXPECT_FALSE(ctx_.seconds(tok("nan"), "advert_int", microseconds(0), std::chrono::seconds(1)));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: advert_int must be a number of seconds, got 'nan'");
}

TEST_F(ParseContextTest, AddressesAndPrefixes) {
  auto a = ctx_.address(tok("fe80::1"), "unicast_src_ip");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isV6());
  auto p = ctx_.prefix(tok("10.0.0.1/24"), "VIP");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 24u);
  EXPECT_EQ(p->toString(), "10.0.0.1/24");
  EXPECT_FALSE(ctx_.prefix(tok("10.0.0.1/33"), "VIP"));
  EXPECT_EQ(lastMessage(),
            "k.conf:3:7: error: VIP is not a valid address or address/prefix: '10.0.0.1/33'");
  EXPECT_FALSE(ctx_.address(tok("10.0.0.256"), "peer"));
  EXPECT_EQ(lastMessage(),
            "k.conf:3:7: error: peer is not a valid IPv4 or IPv6 address: '10.0.0.256'");
}

TEST_F(ParseContextTest, OneOfListsTheChoices) {
  EXPECT_EQ(ctx_.oneOf(tok("wrr"), "lb_algo", {"rr", "wrr"}), "wrr");
  EXPECT_FALSE(ctx_.oneOf(tok("fast"), "lb_algo", {"rr", "wrr"}));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: unknown lb_algo 'fast' (expected one of rr|wrr)");
}

TEST_F(ParseContextTest, UnknownKeywordWarnsOrFailsUnderStrict) {
  Node n;
  n.keyword = tok("frobnicate");
  ctx_.unknownKeyword(n, "vrrp_instance");
  EXPECT_EQ(lastMessage(),
            "k.conf:3:7: warning: unknown keyword 'frobnicate' in vrrp_instance; ignored");
  EXPECT_FALSE(diagnostics_.hasErrors());
  ParseContext strict(diagnostics_, true);
  strict.unknownKeyword(n, "vrrp_instance");
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: unknown keyword 'frobnicate' in vrrp_instance");
}

TEST_F(ParseContextTest, ArgumentCounts) {
  Node n;
  n.keyword = tok("priority");
  EXPECT_FALSE(ctx_.expectArgs(n, 1));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: 'priority' takes 1 argument, got 0");
  n.args = {tok("a"), tok("b"), tok("c")};
  EXPECT_FALSE(ctx_.expectArgs(n, 1, 2));
  EXPECT_EQ(lastMessage(), "k.conf:3:7: error: 'priority' takes 1 to 2 arguments, got 3");
}

}  // namespace
}  // namespace vigil::config
