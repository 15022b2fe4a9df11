#include <gtest/gtest.h>

#include "check/md5_digest.h"

namespace vigil::check {
namespace {

// Digests printed by keepalived's genhash 2.2.7 for the same bodies.
TEST(HttpDigest, MatchesGenhashForAPageBody) {
  EXPECT_EQ(toHex(md5Of("hello world\n")), "6f5902ac237024bdd0c176cb93063dc4");
}

TEST(HttpDigest, EmptyBodyHasMd5OfNothing) {
  EXPECT_EQ(toHex(md5Of("")), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(HttpDigest, BinaryBytesCount) {
  std::string body("a\0b", 3);
  EXPECT_NE(md5Of(body), md5Of("a"));
  EXPECT_EQ(toHex(md5Of(body)).size(), 32U);
}

}  // namespace
}  // namespace vigil::check
