#include "monitor/gzip_parts.h"

#include <array>

namespace vigil::monitor {
namespace {

constexpr int kRawWindowBits = -15;  // raw DEFLATE: no zlib or gzip wrapper
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
// PartDeflater's for small pieces: a 1,024-entry hash table (2 KiB cleared
// per piece, where zlib's default 32,768 entries cost 64 KiB per piece, more
// than deflating a piece of a few KiB) and a 512-symbol block buffer.
constexpr int kPieceMemLevel = 3;
// Beyond this a piece gets a stream of its own, sized for it: the init cost
// is small beside the piece's, and it compresses as GzipPart::deflate does.
constexpr size_t kLargePiece = 64 * 1024;
// How much of the preceding text a piece may refer back to: the last few
// lines of a neighbour's series hold the labels it repeats. Each byte of it costs
// about what a byte of the piece does.
constexpr size_t kDictionaryBytes = 512;
// A final, empty fixed-Huffman block: ends the DEFLATE stream.
constexpr std::array<char, 2> kFinalEmptyBlock = {0x03, 0x00};

void appendLittleEndian32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint32_t crcOf(std::string_view text) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(text.data()), text.size()));
}

// Deflates `text` on a freshly initialised or reset raw stream.
GzipPart deflateOn(z_stream& z, std::string_view text, std::string_view preceding) {
  GzipPart part;
  if (preceding.size() > kDictionaryBytes)
    preceding.remove_prefix(preceding.size() - kDictionaryBytes);
  if (!preceding.empty()) {
    (void)deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(preceding.data()),
                               static_cast<uInt>(preceding.size()));
  }
  part.size = text.size();
  part.crc = crcOf(text);
  // Sync flush: byte-aligned, not final, so another part may follow. The
  // bound leaves room for its empty stored block.
  part.deflated.resize(deflateBound(&z, static_cast<uLong>(text.size())) + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(part.deflated.data());
  z.avail_out = static_cast<uInt>(part.deflated.size());
  (void)::deflate(&z, Z_SYNC_FLUSH);
  part.deflated.resize(z.total_out);
  return part;
}

}  // namespace

GzipPart GzipPart::deflate(std::string_view text, int level, std::string_view preceding) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, kRawWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  GzipPart part = deflateOn(z, text, preceding);
  deflateEnd(&z);
  return part;
}

void GzipPart::append(const GzipPart& next) {
  deflated += next.deflated;
  crc = static_cast<uint32_t>(crc32_combine(crc, next.crc, static_cast<z_off_t>(next.size)));
  size += next.size;
}

PartDeflater::PartDeflater(int level) : level_(level) {
  ready_ = deflateInit2(&z_, level_, Z_DEFLATED, kRawWindowBits, kPieceMemLevel,
                        Z_DEFAULT_STRATEGY) == Z_OK;
}

PartDeflater::~PartDeflater() {
  if (ready_) deflateEnd(&z_);
}

GzipPart PartDeflater::deflate(std::string_view text, std::string_view preceding) {
  if (!ready_ || text.size() > kLargePiece || deflateReset(&z_) != Z_OK) {
    return GzipPart::deflate(text, level_, preceding);
  }
  return deflateOn(z_, text, preceding);
}

std::string gzipJoin(std::span<const GzipPart* const> parts) {
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix).
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  size_t deflated = 0;
  for (const GzipPart* part : parts) deflated += part->deflated.size();
  out.reserve(out.size() + deflated + kFinalEmptyBlock.size() + 8);
  GzipPart whole;
  for (const GzipPart* part : parts) {
    out += part->deflated;
    whole.crc = static_cast<uint32_t>(
        crc32_combine(whole.crc, part->crc, static_cast<z_off_t>(part->size)));
    whole.size += part->size;
  }
  out.append(kFinalEmptyBlock.data(), kFinalEmptyBlock.size());
  appendLittleEndian32(out, whole.crc);
  appendLittleEndian32(out, static_cast<uint32_t>(whole.size));  // ISIZE: mod 2^32
  return out;
}

std::string gzipJoin(const GzipPart& first, const GzipPart& second) {
  const std::array<const GzipPart*, 2> parts = {&first, &second};
  return gzipJoin(parts);
}

std::string gzipCompress(std::string_view text, int level) {
  const GzipPart part = GzipPart::deflate(text, level);
  const std::array<const GzipPart*, 1> parts = {&part};
  return gzipJoin(parts);
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
