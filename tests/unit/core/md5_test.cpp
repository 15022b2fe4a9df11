#include "core/md5.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "support/hex_text.h"

namespace vigil {
namespace {

std::string hex(std::span<const uint8_t> digest) { return test::hexText(digest); }

// RFC 1321 Appendix A.5, the test suite.
TEST(CoreMd5Test, Rfc1321TestSuite) {
  EXPECT_EQ(hex(md5Of("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5Of("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(md5Of("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5Of("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5Of("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex(md5Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(hex(md5Of("1234567890123456789012345678901234567890"
                      "1234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// The padding's edge cases (§3.1): 55 bytes leave room for the length in
// the last block, 56 do not; 63, 64 and 65 straddle a block boundary.
// Digests from Python's hashlib.
TEST(CoreMd5Test, LengthsAroundTheBlockBoundary) {
  EXPECT_EQ(hex(md5Of(std::string(55, 'a'))), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(hex(md5Of(std::string(56, 'a'))), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(hex(md5Of(std::string(63, 'a'))), "b06521f39153d618550606be297466d5");
  EXPECT_EQ(hex(md5Of(std::string(64, 'a'))), "014842d480b571495a4a0363793f7367");
  EXPECT_EQ(hex(md5Of(std::string(65, 'a'))), "c743a45e0d2e6a95cb859adae0248435");
  EXPECT_EQ(hex(md5Of(std::string(1000000, 'a'))), "7707d6ae4e027c70eea2a935c2296f21");
}

// Fed in random pieces, the digest is the one-shot digest.
TEST(CoreMd5Test, PiecewiseUpdatesEqualOneShot) {
  std::mt19937 random(1321);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> message(random() % 300);
    for (uint8_t& byte : message) byte = static_cast<uint8_t>(random());
    Md5 md5;
    std::span<const uint8_t> rest(message);
    while (!rest.empty()) {
      const size_t take = std::min<size_t>(rest.size(), random() % 80);
      md5.update(rest.first(take));
      rest = rest.subspan(take);
    }
    EXPECT_EQ(md5.finish(), md5Of(message)) << "length " << message.size();
  }
}

}  // namespace
}  // namespace vigil
