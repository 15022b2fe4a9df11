#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vigil::monitor {

// A piece of text deflated on its own (raw DEFLATE, ended by a sync flush
// and not final) with its CRC-32 and length. Pieces compressed apart can be
// joined into one gzip member (RFC 1951/1952): their back-references never
// reach outside their own piece, so a decoder reading them in a row yields
// the texts in a row. This lets /metrics keep each rendered piece
// compressed and deflate only the pieces whose text changed.
struct GzipPart {
  std::string deflated;
  uint32_t crc = 0;
  size_t size = 0;

  // level: zlib's 1 (fastest) to 9. `preceding`: see PartDeflater.
  static GzipPart deflate(std::string_view text, int level = 6, std::string_view preceding = {});

  // Makes this the part of this text followed by `next`'s.
  void append(const GzipPart& next);
};

// Deflates many small pieces with one zlib stream, reset between pieces: a
// piece costs no allocation, and little more than its bytes (the stream's
// hash table, cleared on each reset, is sized for pieces of a few KiB).
// A large piece (over 64 KiB) is deflated as GzipPart::deflate does.
// Not thread-safe.
class PartDeflater {
 public:
  explicit PartDeflater(int level);
  ~PartDeflater();
  PartDeflater(const PartDeflater&) = delete;
  PartDeflater& operator=(const PartDeflater&) = delete;

  // `preceding`, when given, is the text that will come right before this
  // piece in every stream it is joined into: its last few KiB are the
  // piece's preset dictionary (RFC 1951 back-references may reach into
  // them, as into the decoder's window), so a small piece repeating its
  // neighbour's labels compresses about as well as in one long stream. The
  // part is then valid only right after exactly that text.
  GzipPart deflate(std::string_view text, std::string_view preceding = {});

 private:
  z_stream z_{};
  bool ready_ = false;
  int level_;
};

// One gzip member whose content is the parts' texts in order. Any part may
// be empty (no text, or no bytes at all: a default GzipPart).
std::string gzipJoin(std::span<const GzipPart* const> parts);
std::string gzipJoin(const GzipPart& first, const GzipPart& second);

// The whole of `text` as one gzip member.
std::string gzipCompress(std::string_view text, int level = 6);

// Inflates a gzip stream (for tests and tools); empty on a malformed one.
std::string gunzip(std::string_view compressed);

}  // namespace vigil::monitor
