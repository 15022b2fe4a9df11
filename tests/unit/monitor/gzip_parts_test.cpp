#include "monitor/gzip_parts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::monitor {
namespace {

std::string join(const std::vector<GzipPart>& parts) {
  std::vector<const GzipPart*> pointers;
  for (const GzipPart& part : parts) pointers.push_back(&part);
  return gzipJoin(pointers);
}

// Prometheus-like lines: repetitive within a piece, as /metrics' are.
std::string lines(int first, int count) {
  std::string s;
  for (int i = first; i < first + count; ++i) {
    s += "vigil_real_server_up{virtual_server=\"[10.0.0." + std::to_string(i % 256) +
         "]:tcp:80\",real_server=\"10.1.0." + std::to_string(i % 256) + ":80\"} 1\n";
  }
  return s;
}

TEST(GzipPartsTest, NPartsInflateToTheirTextsInOrder) {
  PartDeflater deflater(1);
  std::vector<GzipPart> parts;
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    const std::string text = lines(i * 7, i % 9);
    // Alternate the two deflaters: their parts mix freely.
    parts.push_back(i % 2 == 0 ? deflater.deflate(text) : GzipPart::deflate(text, 6));
    expected += text;
  }
  const std::string compressed = join(parts);
  EXPECT_EQ(gunzip(compressed), expected);
  EXPECT_LT(compressed.size(), expected.size() / 2);
}

TEST(GzipPartsTest, EmptyPartsAnywhereAddNothing) {
  PartDeflater deflater(1);
  const GzipPart none;  // no bytes at all
  const GzipPart emptyText = deflater.deflate("");
  const GzipPart a = deflater.deflate("alpha\n");
  const GzipPart b = GzipPart::deflate("beta\n");
  EXPECT_EQ(gunzip(join({none, a, emptyText, none, b, emptyText})), "alpha\nbeta\n");
  EXPECT_EQ(gunzip(join({emptyText, none})), "");
  EXPECT_EQ(gunzip(join({none})), "");
  EXPECT_EQ(gunzip(gzipJoin(std::vector<const GzipPart*>{})), "");
}

TEST(GzipPartsTest, AppendedPartsJoinLikeTheirSequence) {
  PartDeflater deflater(1);
  const std::vector<GzipPart> parts = {deflater.deflate(lines(0, 40)), GzipPart{},
                                       deflater.deflate(lines(40, 3)),
                                       deflater.deflate(lines(0, 4000))};  // over 64 KiB
  GzipPart whole;
  for (const GzipPart& part : parts) whole.append(part);
  const std::string expected = lines(0, 40) + lines(40, 3) + lines(0, 4000);
  EXPECT_EQ(whole.size, expected.size());
  EXPECT_EQ(gunzip(join({whole})), expected);
  EXPECT_EQ(join({whole}), join(parts));
}

TEST(GzipPartsTest, ADeflaterReusedForManyPiecesGivesTheSameBytesEachTime) {
  PartDeflater deflater(1);
  const std::string text = lines(3, 20);
  const GzipPart first = deflater.deflate(text);
  (void)deflater.deflate(lines(100, 50));
  EXPECT_EQ(deflater.deflate(text).deflated, first.deflated);
}

TEST(GzipPartsTest, APieceDeflatedAfterItsNeighbourReusesItsLabels) {
  PartDeflater deflater(1);
  const std::string before = lines(0, 3);
  const std::string piece = lines(1, 2);  // repeats two of before's lines
  const GzipPart first = deflater.deflate(before);
  const GzipPart alone = deflater.deflate(piece);
  const GzipPart after = deflater.deflate(piece, before);
  EXPECT_LT(after.deflated.size(), alone.deflated.size() / 2);
  EXPECT_EQ(gunzip(join({first, after})), before + piece);
  // Behind a longer text that ends the same way it is still valid.
  const GzipPart longer = GzipPart::deflate(lines(50, 100) + before);
  EXPECT_EQ(gunzip(join({longer, after})), lines(50, 100) + before + piece);
  // Large pieces take a dictionary too.
  const std::string large = lines(0, 4000);
  EXPECT_EQ(gunzip(join({first, deflater.deflate(large, before)})), before + large);
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
