#include "vrrp/checksum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace vigil::vrrp {
namespace {

// RFC 1071 §3, one byte at a time: the definition the fast path must match.
uint16_t referenceChecksum(const std::vector<uint8_t>& bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    sum += i % 2 == 0 ? static_cast<uint32_t>(bytes[i]) << 8 : bytes[i];
    sum = (sum & 0xffffu) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

TEST(InternetChecksumTest, Rfc1071Example) {
  // RFC 1071 §3's example words 0001 f203 f4f5 f6f7 sum to ddf2.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  InternetChecksum sum;
  sum.add(bytes);
  EXPECT_EQ(sum.finish(), static_cast<uint16_t>(~0xddf2));
}

TEST(InternetChecksumTest, AnySplitIntoPiecesGivesTheSameSum) {
  std::mt19937 random(7);
  for (size_t length : {0u, 1u, 2u, 3u, 31u, 32u, 40u, 1501u, 70000u, 140001u}) {
    std::vector<uint8_t> bytes(length);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
    // All 0xff bytes are the worst case for carries.
    if (length == 140001u) std::fill(bytes.begin(), bytes.end(), 0xff);
    const uint16_t expected = referenceChecksum(bytes);

    InternetChecksum whole;
    whole.add(bytes);
    EXPECT_EQ(whole.finish(), expected) << length << " bytes at once";

    InternetChecksum pieces;
    size_t at = 0;
    while (at < length) {
      const size_t piece = std::min<size_t>(length - at, 1 + random() % 7);
      pieces.add(std::span<const uint8_t>(bytes).subspan(at, piece));
      at += piece;
    }
    EXPECT_EQ(pieces.finish(), expected) << length << " bytes in odd pieces";
  }
}

TEST(InternetChecksumTest, WordsAfterAnOddPieceKeepTheirAlignment) {
  const std::vector<uint8_t> bytes = {0x45, 0x00, 0x00, 0x1c, 0x12, 0x34};
  InternetChecksum sum;
  sum.add(std::span<const uint8_t>(bytes).first(1));
  sum.addU16(0x0000);  // the two middle bytes as one word, straddling the odd byte
  sum.add(std::span<const uint8_t>(bytes).subspan(3));
  // Equals the checksum of 45 00 00 1c 12 34 with bytes 1-2 zero: 0x00, 0x00 already.
  EXPECT_EQ(sum.finish(), referenceChecksum(bytes));
}

}  // namespace
}  // namespace vigil::vrrp
