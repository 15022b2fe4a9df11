#include "core/inet_checksum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace vigil {
namespace {

// RFC 1071 §3, one byte at a time with a fold per byte: the definition the
// word-at-a-time sum must match.
uint16_t referenceChecksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    sum += i % 2 == 0 ? static_cast<uint32_t>(bytes[i]) << 8 : bytes[i];
    sum = (sum & 0xffffu) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

uint16_t checksumOf(std::span<const uint8_t> bytes) {
  InternetChecksum sum;
  sum.add(bytes);
  return sum.finish();
}

TEST(CoreInternetChecksumTest, Rfc1071ExampleWords) {
  // RFC 1071 §3: 0001 f203 f4f5 f6f7 sum to ddf2.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksumOf(bytes), static_cast<uint16_t>(~0xddf2));
}

TEST(CoreInternetChecksumTest, Ipv4HeaderVector) {
  // A 20-byte IPv4 header (checksum field zero) whose checksum is b861.
  const uint8_t header[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                            0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(checksumOf(header), 0xb861);
  // Verifying a header that holds its checksum gives 0.
  uint8_t filled[sizeof header];
  std::copy(std::begin(header), std::end(header), filled);
  filled[10] = 0xb8;
  filled[11] = 0x61;
  EXPECT_EQ(checksumOf(filled), 0);
}

TEST(CoreInternetChecksumTest, EmptyAndZeroInputs) {
  EXPECT_EQ(checksumOf({}), 0xffff);
  const std::vector<uint8_t> zeros(64, 0);
  EXPECT_EQ(checksumOf(zeros), 0xffff);
}

TEST(CoreInternetChecksumTest, MatchesReferenceForEveryLengthAndStartOffset) {
  std::mt19937 random(1071);
  std::vector<uint8_t> buffer(300 + 8);
  for (int round = 0; round < 4; ++round) {
    for (uint8_t& b : buffer) {
      // Round 0 is all 0xff, the worst case for carries; the others are random.
      b = round == 0 ? 0xff : static_cast<uint8_t>(random());
    }
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t length = 0; length <= 300; ++length) {
        const std::span<const uint8_t> bytes(buffer.data() + offset, length);
        ASSERT_EQ(checksumOf(bytes), referenceChecksum(bytes))
            << "round " << round << " offset " << offset << " length " << length;
      }
    }
  }
}

TEST(CoreInternetChecksumTest, PiecesOfAnyLengthSumAsOneStream) {
  std::mt19937 random(7);
  std::vector<uint8_t> bytes(300);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
  for (size_t first = 0; first <= 40; ++first) {
    for (size_t second = 0; second <= 40; ++second) {
      InternetChecksum sum;
      const std::span<const uint8_t> all(bytes);
      sum.add(all.first(first));
      sum.add(all.subspan(first, second));
      sum.add(all.subspan(first + second));
      ASSERT_EQ(sum.finish(), referenceChecksum(bytes)) << first << " + " << second << " + rest";
    }
  }
}

TEST(CoreInternetChecksumTest, LongAllOnesInputWrapsEveryCarry) {
  const std::vector<uint8_t> bytes(140001, 0xff);
  EXPECT_EQ(checksumOf(bytes), referenceChecksum(bytes));
}

TEST(CoreInternetChecksumTest, AddU16AndAddU32AreBigEndianWords) {
  const uint8_t bytes[] = {0x12, 0x34, 0xab, 0xcd, 0xef, 0x01};
  InternetChecksum words;
  words.addU16(0x1234);
  words.addU32(0xabcdef01);
  EXPECT_EQ(words.finish(), referenceChecksum(bytes));
}

}  // namespace
}  // namespace vigil
