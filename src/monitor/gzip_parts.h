#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::monitor {

// A piece of text deflated on its own (raw DEFLATE, ended by a sync flush
// and not final) with its CRC-32 and length. Pieces compressed apart can be
// joined into one gzip member (RFC 1951/1952): their back-references never
// reach outside their own piece, so a decoder reading them in a row yields
// the texts in a row. This lets /metrics keep the expensive part compressed
// and deflate only the small part that changes on every scrape.
struct GzipPart {
  std::string deflated;
  uint32_t crc = 0;
  size_t size = 0;

  // level: zlib's 1 (fastest) to 9. Always a valid part: should zlib
  // fail (out of memory), the text is stored uncompressed instead.
  static GzipPart deflate(std::string_view text, int level = 6);
  // `text` in stored (uncompressed) DEFLATE blocks, ended like deflate()'s:
  // the fallback when zlib cannot compress.
  static GzipPart store(std::string_view text);
};

// One gzip member whose content is the parts' texts in order.
std::string gzipJoin(const GzipPart& first, const GzipPart& second);
// gzipJoin's output is gzipHeadOf(first), second.deflated, then
// gzipTailOf(first, second) (which reads only second's crc and size): a
// kept second part can be sent as it is, between the two.
std::string gzipHeadOf(const GzipPart& first);
std::string gzipTailOf(const GzipPart& first, const GzipPart& second);

// The whole of `text` as one gzip member.
std::string gzipCompress(std::string_view text, int level = 6);

// Inflates a gzip stream (for tests and tools); empty on a malformed one.
std::string gunzip(std::string_view compressed);

}  // namespace vigil::monitor
