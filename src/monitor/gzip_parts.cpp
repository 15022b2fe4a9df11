#include "monitor/gzip_parts.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

namespace vigil::monitor {
namespace {

constexpr int kRawWindowBits = -15;  // raw DEFLATE: no zlib or gzip wrapper
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
// The most a stored DEFLATE block holds.
constexpr size_t kMaxStoredBlock = 65535;
// zlib counts input in uInt.
constexpr size_t kMaxZlibInput = std::numeric_limits<uInt>::max();
// A final, empty fixed-Huffman block: ends the DEFLATE stream.
constexpr std::array<char, 2> kFinalEmptyBlock = {0x03, 0x00};

void appendLittleEndian32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint32_t crcOf(std::string_view text) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(text.data()), text.size()));
}

}  // namespace

GzipPart GzipPart::deflate(std::string_view text, int level) {
  if (text.size() > kMaxZlibInput) return store(text);
  GzipPart part;
  part.size = text.size();
  part.crc = crcOf(text);
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, kRawWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return store(text);
  }
  // The bound leaves room for the sync flush's empty stored block; should
  // it not, the buffer grows until the flush completes.
  part.deflated.resize(deflateBound(&z, static_cast<uLong>(text.size())) + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(part.deflated.data());
  z.avail_out = static_cast<uInt>(part.deflated.size());
  // Sync flush: byte-aligned, not final, so another part may follow. It is
  // complete once all input is taken and output space is left over.
  int rc = ::deflate(&z, Z_SYNC_FLUSH);
  while (rc == Z_OK && z.avail_out == 0) {
    part.deflated.resize(part.deflated.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(part.deflated.data() + z.total_out);
    z.avail_out = static_cast<uInt>(part.deflated.size() - z.total_out);
    rc = ::deflate(&z, Z_SYNC_FLUSH);
  }
  const bool complete = rc == Z_OK && z.avail_in == 0;
  part.deflated.resize(z.total_out);
  deflateEnd(&z);
  return complete ? part : store(text);
}

GzipPart GzipPart::store(std::string_view text) {
  GzipPart part;
  part.size = text.size();
  part.crc = crcOf(text);
  part.deflated.reserve(text.size() + (text.size() / kMaxStoredBlock + 1) * 5);
  // A part starts byte-aligned (the one before ended with a flush), so each
  // block's 3 header bits (not final, stored) pad to a zero byte, then
  // LEN and its ones' complement NLEN, little-endian (RFC 1951 3.2.4). The
  // last, empty block stands for the sync flush's.
  for (;;) {
    const size_t length = std::min(text.size(), kMaxStoredBlock);
    const auto len = static_cast<uint16_t>(length);
    const auto nlen = static_cast<uint16_t>(~len);
    const std::array<char, 5> header = {0x00, static_cast<char>(len & 0xFF),
                                        static_cast<char>(len >> 8), static_cast<char>(nlen & 0xFF),
                                        static_cast<char>(nlen >> 8)};
    part.deflated.append(header.data(), header.size());
    part.deflated.append(text.substr(0, length));
    text.remove_prefix(length);
    if (length == 0) break;
  }
  return part;
}

std::string gzipHeadOf(const GzipPart& first) {
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix).
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  out += first.deflated;
  return out;
}

std::string gzipTailOf(const GzipPart& first, const GzipPart& second) {
  std::string out(kFinalEmptyBlock.data(), kFinalEmptyBlock.size());
  const uLong crc = crc32_combine(first.crc, second.crc, static_cast<z_off_t>(second.size));
  appendLittleEndian32(out, static_cast<uint32_t>(crc));
  appendLittleEndian32(out, static_cast<uint32_t>(first.size + second.size));  // ISIZE: mod 2^32
  return out;
}

std::string gzipJoin(const GzipPart& first, const GzipPart& second) {
  std::string out = gzipHeadOf(first);
  const std::string tail = gzipTailOf(first, second);
  out.reserve(out.size() + second.deflated.size() + tail.size());
  out += second.deflated;
  out += tail;
  return out;
}

std::string gzipCompress(std::string_view text, int level) {
  return gzipJoin(GzipPart::deflate(text, level), GzipPart::deflate({}, level));
}

std::string gunzip(std::string_view compressed) {
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return {};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  std::array<char, 65536> chunk{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - z.avail_out);
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_BUF_ERROR;
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

}  // namespace vigil::monitor
