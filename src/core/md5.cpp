#include "core/md5.h"

#include <algorithm>
#include <bit>

namespace vigil {
namespace {

// RFC 1321 §3.4: T[i] = floor(2^32 * |sin(i + 1)|), the additive constant of step i.
constexpr std::array<uint32_t, 64> kSine = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

// §3.4: the left-rotation amounts, four per round.
constexpr std::array<std::array<int, 4>, 4> kShift = {{
    {7, 12, 17, 22},
    {5, 9, 14, 20},
    {4, 11, 16, 23},
    {6, 10, 15, 21},
}};

uint32_t loadLittleEndian(const uint8_t* bytes) {
  return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
         static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}

}  // namespace

// §3.4, one 16-word block. Step i of round r uses F, G, H or I, message word
// X[k] with k from the round's order, T[i] and the round's shifts.
void Md5::compress(const uint8_t* block) {
  uint32_t x[16];
  for (int k = 0; k < 16; ++k) x[k] = loadLittleEndian(block + 4 * k);
  uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  for (int i = 0; i < 64; ++i) {
    const int round = i / 16;
    uint32_t f;
    int k;
    switch (round) {
      case 0:
        f = (b & c) | (~b & d);  // F(X,Y,Z)
        k = i;
        break;
      case 1:
        f = (b & d) | (c & ~d);  // G(X,Y,Z)
        k = (5 * i + 1) % 16;
        break;
      case 2:
        f = b ^ c ^ d;  // H(X,Y,Z)
        k = (3 * i + 5) % 16;
        break;
      default:
        f = c ^ (b | ~d);  // I(X,Y,Z)
        k = (7 * i) % 16;
        break;
    }
    const uint32_t rotated = std::rotl(a + f + x[k] + kSine[i], kShift[round][i % 4]);
    a = d;
    d = c;
    c = b;
    b = b + rotated;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
}

void Md5::update(std::span<const uint8_t> bytes) {
  totalBytes_ += bytes.size();
  if (pendingSize_ > 0) {
    const size_t take = std::min(bytes.size(), kBlockSize - pendingSize_);
    std::copy_n(bytes.begin(), take, pending_.begin() + static_cast<ptrdiff_t>(pendingSize_));
    pendingSize_ += take;
    bytes = bytes.subspan(take);
    if (pendingSize_ < kBlockSize) return;
    compress(pending_.data());
    pendingSize_ = 0;
  }
  while (bytes.size() >= kBlockSize) {
    compress(bytes.data());
    bytes = bytes.subspan(kBlockSize);
  }
  std::copy(bytes.begin(), bytes.end(), pending_.begin());
  pendingSize_ = bytes.size();
}

void Md5::update(std::string_view bytes) {
  update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Md5::Digest Md5::finish() {
  // §3.1: a 1 bit, zeros up to 56 bytes mod 64; §3.2: the bit length, low
  // word first, each word low-order byte first.
  const uint64_t bits = totalBytes_ * 8;
  uint8_t tail[kBlockSize + 8] = {0x80};
  const size_t padding = pendingSize_ < 56 ? 56 - pendingSize_ : kBlockSize + 56 - pendingSize_;
  for (int i = 0; i < 8; ++i) tail[padding + i] = static_cast<uint8_t>(bits >> (8 * i));
  update(std::span<const uint8_t>(tail, padding + 8));
  Digest digest;
  for (size_t word = 0; word < 4; ++word) {
    for (size_t byte = 0; byte < 4; ++byte) {
      digest[4 * word + byte] = static_cast<uint8_t>(state_[word] >> (8 * byte));
    }
  }
  return digest;
}

Md5::Digest md5Of(std::span<const uint8_t> bytes) {
  Md5 md5;
  md5.update(bytes);
  return md5.finish();
}

Md5::Digest md5Of(std::string_view bytes) {
  Md5 md5;
  md5.update(bytes);
  return md5.finish();
}

}  // namespace vigil
