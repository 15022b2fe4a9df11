#include "core/hmac_md5.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/hex_text.h"

namespace vigil {
namespace {

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<uint8_t> repeated(uint8_t byte, size_t count) {
  return std::vector<uint8_t>(count, byte);
}

std::string hex(std::span<const uint8_t> digest) { return test::hexText(digest); }

std::string hmacHex(const std::vector<uint8_t>& key, const std::vector<uint8_t>& data) {
  return hex(hmacMd5(key, data));
}

// RFC 2202 §2, test cases 1-7 for HMAC-MD5.
TEST(CoreHmacMd5Test, Rfc2202TestCases) {
  EXPECT_EQ(hmacHex(repeated(0x0b, 16), bytes("Hi There")), "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(hmacHex(bytes("Jefe"), bytes("what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(hmacHex(repeated(0xaa, 16), repeated(0xdd, 50)), "56be34521d144c88dbb8c733f0e8b3f6");
  std::vector<uint8_t> key4;
  for (uint8_t byte = 0x01; byte <= 0x19; ++byte) key4.push_back(byte);
  EXPECT_EQ(hmacHex(key4, repeated(0xcd, 50)), "697eaf0aca3a3aea3a75164746ffaa79");
  // Case 5 also gives the 96-bit truncation AH uses (RFC 2403).
  const Md5::Digest truncated = hmacMd5(repeated(0x0c, 16), bytes("Test With Truncation"));
  EXPECT_EQ(hex(truncated), "56461ef2342edc00f9bab995690efd4c");
  EXPECT_EQ(hex(std::span(truncated).first(12)), "56461ef2342edc00f9bab995");
  // Cases 6 and 7: a key longer than the 64-byte block is hashed first.
  EXPECT_EQ(
      hmacHex(repeated(0xaa, 80), bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
      "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  EXPECT_EQ(
      hmacHex(repeated(0xaa, 80),
              bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")),
      "6f630fad67cda0ee1fb1f562db3aa53e");
}

TEST(CoreHmacMd5Test, EqualInConstantTimeComparesEveryByte) {
  const std::vector<uint8_t> icv = repeated(0x5a, 12);
  EXPECT_TRUE(equalInConstantTime(icv, icv));
  for (size_t i = 0; i < icv.size(); ++i) {
    std::vector<uint8_t> other = icv;
    other[i] ^= 0x01;
    EXPECT_FALSE(equalInConstantTime(icv, other)) << "byte " << i;
  }
  EXPECT_FALSE(equalInConstantTime(icv, repeated(0x5a, 11)));
}

}  // namespace
}  // namespace vigil
