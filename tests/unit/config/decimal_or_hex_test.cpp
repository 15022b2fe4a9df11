#include <gtest/gtest.h>

#include "config/parse_util.h"

namespace vigil::config::parse {
namespace {

// The number form `ip route` and `ip rule` accept for tables, marks, realms and ports.
TEST(DecimalOrHexTest, ReadsDecimalAndHexadecimalAsIpDoes) {
  EXPECT_EQ(decimalOrHex("0"), 0u);
  EXPECT_EQ(decimalOrHex("250"), 250u);
  EXPECT_EQ(decimalOrHex("0x10"), 16u);
  EXPECT_EQ(decimalOrHex("0XfF"), 255u);
  EXPECT_EQ(decimalOrHex("4294967295"), 4294967295u);
  EXPECT_EQ(decimalOrHex("0xffffffff"), 4294967295u);
}

TEST(DecimalOrHexTest, RefusesAnythingElse) {
  for (std::string_view text :
       {"", "0x", "-1", "+1", "12a", "0x1g", " 1", "4294967296", "0x100000000", "1.5"}) {
    EXPECT_EQ(decimalOrHex(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace vigil::config::parse
