#include "monitor/gzip_parts.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace vigil::monitor {
namespace {

// Prometheus-like lines: repetitive, as /metrics' are.
std::string lines(int first, int count) {
  std::string s;
  for (int i = first; i < first + count; ++i) {
    s += "vigil_real_server_up{virtual_server=\"[10.0.0." + std::to_string(i % 256) +
         "]:tcp:80\",real_server=\"10.1.0." + std::to_string(i % 256) + ":80\"} 1\n";
  }
  return s;
}

// Bytes deflate cannot shrink: its worst case for output space.
std::string noise(size_t size) {
  std::mt19937 random(7);
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(random() & 0xFF);
  return s;
}

TEST(GzipPartsTest, TwoPartsInflateToTheirTextsInOrder) {
  const std::string a = lines(0, 500);
  const std::string b = lines(500, 20);
  for (int level : {1, 6, 9}) {
    const std::string compressed =
        gzipJoin(GzipPart::deflate(a, level), GzipPart::deflate(b, level));
    EXPECT_EQ(gunzip(compressed), a + b) << "level " << level;
    EXPECT_LT(compressed.size(), (a.size() + b.size()) / 4) << "level " << level;
  }
}

TEST(GzipPartsTest, EmptyPartsOnEitherSideAddNothing) {
  const GzipPart none;  // no bytes at all
  const GzipPart emptyText = GzipPart::deflate("");
  const GzipPart a = GzipPart::deflate("alpha\n");
  EXPECT_EQ(gunzip(gzipJoin(none, a)), "alpha\n");
  EXPECT_EQ(gunzip(gzipJoin(a, emptyText)), "alpha\n");
  EXPECT_EQ(gunzip(gzipJoin(emptyText, none)), "");
  EXPECT_EQ(gunzip(gzipCompress("")), "");
}

TEST(GzipPartsTest, IncompressibleAndLargeTextsComeBackWhole) {
  const std::string random = noise(3 * 65536 + 17);
  const std::string big = lines(0, 60000);  // several MiB
  EXPECT_EQ(gunzip(gzipJoin(GzipPart::deflate(random, 1), GzipPart::deflate(big, 1))),
            random + big);
  EXPECT_EQ(gunzip(gzipCompress(random, 9)), random);
}

TEST(GzipPartsTest, StoredPartsJoinWithDeflatedOnes) {
  // Around the 65,535-byte stored block limit and across several blocks.
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{200000}}) {
    const std::string text = noise(size);
    const GzipPart stored = GzipPart::store(text);
    const size_t blocks = (size + 65534) / 65535 + 1;  // and the empty last one
    EXPECT_EQ(stored.deflated.size(), size + 5 * blocks) << size;
    EXPECT_EQ(stored.size, size);
    const std::string head = lines(0, 3);
    EXPECT_EQ(gunzip(gzipJoin(GzipPart::deflate(head), stored)), head + text) << size;
    EXPECT_EQ(gunzip(gzipJoin(stored, GzipPart::deflate(head))), text + head) << size;
    EXPECT_EQ(stored.crc, GzipPart::deflate(text).crc) << size;
  }
}

TEST(GzipPartsTest, AMalformedOrTruncatedStreamInflatesToNothing) {
  const std::string whole = gzipJoin(GzipPart::deflate("abc"), GzipPart::deflate("def"));
  EXPECT_EQ(gunzip(whole), "abcdef");
  EXPECT_EQ(gunzip(whole.substr(0, whole.size() - 4)), "");
  std::string wrongCrc = whole;
  wrongCrc[wrongCrc.size() - 8] ^= 1;
  EXPECT_EQ(gunzip(wrongCrc), "");
}

}  // namespace
}  // namespace vigil::monitor
