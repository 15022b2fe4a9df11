#include "core/inet_checksum.h"

#include <bit>
#include <cstring>

namespace vigil {
namespace {

// Folds a ones' complement sum to 16 bits, carries wrapped around.
uint32_t fold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint32_t>(sum);
}

// A big-endian 32-bit word at `p` (memcpy keeps the load legal at any
// alignment; compilers make it one load and a byte swap).
uint32_t loadBigEndian32(const uint8_t* p) {
  uint32_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap32(word);
  return word;
}

}  // namespace

// Every advert sent or received goes through here, several small pieces
// each (a pseudo-header's addresses, its tail, the message: 4 to 40 bytes).
// Each piece is summed as big-endian 32-bit words into the unfolded 64-bit
// sum (a word's two 16-bit halves sum the same as the word itself, since
// 2^16 is 1 modulo 0xffff), with no carry handling and no fold per piece:
// one load, swap and add per 4 bytes. finish() folds once.
void InternetChecksum::add(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  if (left == 0) return;
  uint64_t sum = sum_;
  if (odd_) {
    sum += *p++;
    --left;
    odd_ = false;
  }
  // sum grows by under 2^32 a word: a 64-bit sum takes 2^32 words (16 GiB)
  // before it could overflow, far beyond any packet.
  for (; left >= 4; p += 4, left -= 4) sum += loadBigEndian32(p);
  if (left >= 2) {
    sum += static_cast<uint32_t>(p[0]) << 8 | p[1];
    p += 2;
    left -= 2;
  }
  if (left == 1) {
    sum += static_cast<uint32_t>(p[0]) << 8;
    odd_ = true;
  }
  sum_ = sum;
}

void InternetChecksum::addU16(uint16_t hostOrder) {
  const uint8_t bytes[2] = {static_cast<uint8_t>(hostOrder >> 8), static_cast<uint8_t>(hostOrder)};
  add(bytes);
}

void InternetChecksum::addU32(uint32_t hostOrder) {
  addU16(static_cast<uint16_t>(hostOrder >> 16));
  addU16(static_cast<uint16_t>(hostOrder));
}

uint16_t InternetChecksum::finish() const { return static_cast<uint16_t>(~fold(sum_)); }

}  // namespace vigil
