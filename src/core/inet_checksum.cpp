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

// The ones' complement sum of bytes.size() / 8 * 8 leading bytes, read 8 at a
// time in host order: the sum is independent of byte order as long as the
// result is swapped back (RFC 1071 §2(B)), so this is the big-endian word sum
// folded to 16 bits. memcpy keeps the loads legal at any alignment.
uint32_t sumWideWords(const uint8_t* bytes, size_t count) {
  uint64_t sum = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t word;
    std::memcpy(&word, bytes + i * 8, sizeof word);
    sum += word;
    sum += sum < word ? 1 : 0;  // end-around carry
  }
  uint32_t folded = fold(sum);
  if constexpr (std::endian::native == std::endian::little) {
    folded = (folded >> 8 | folded << 8) & 0xffffu;
  }
  return folded;
}

}  // namespace

// Every advert sent or received goes through here, several pieces each (a
// pseudo-header's addresses, its tail, the message): whole 8-byte words are
// summed with end-around carry, a 4-byte rest as one big-endian 32-bit word
// (its halves sum the same: 2^16 is 1 modulo 0xffff), and the sum is folded
// once, in finish(), not after every piece.
void InternetChecksum::add(std::span<const uint8_t> bytes) {
  size_t i = 0;
  if (odd_ && !bytes.empty()) {
    sum_ += bytes[0];
    odd_ = false;
    i = 1;
  }
  const size_t wide = (bytes.size() - i) / 8;
  if (wide > 0) {
    sum_ += sumWideWords(bytes.data() + i, wide);
    i += wide * 8;
  }
  // At most 7 bytes are left. sum_ grows by under 2^33 a call: a 64-bit
  // sum cannot overflow before finish().
  if (bytes.size() - i >= 4) {
    sum_ += static_cast<uint32_t>(bytes[i]) << 24 | static_cast<uint32_t>(bytes[i + 1]) << 16 |
            static_cast<uint32_t>(bytes[i + 2]) << 8 | bytes[i + 3];
    i += 4;
  }
  if (bytes.size() - i >= 2) {
    sum_ += static_cast<uint32_t>(bytes[i]) << 8 | bytes[i + 1];
    i += 2;
  }
  if (i < bytes.size()) {
    sum_ += static_cast<uint32_t>(bytes[i]) << 8;
    odd_ = true;
  }
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
