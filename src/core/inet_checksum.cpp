#include "core/inet_checksum.h"

#include <algorithm>

namespace vigil {

// Sums whole 16-bit words and folds once per call: every advert (and every
// received one) goes through here, and a fold per byte was most of its cost.
// A 32-bit sum of at most 2^15 words plus a folded 16-bit start cannot
// overflow, so longer inputs are summed in chunks of that many words.
void InternetChecksum::add(std::span<const uint8_t> bytes) {
  size_t i = 0;
  if (odd_ && !bytes.empty()) {
    sum_ += bytes[0];
    odd_ = false;
    i = 1;
  }
  constexpr size_t kWordsPerFold = size_t{1} << 15;
  while (bytes.size() - i >= 2) {
    const size_t words = std::min((bytes.size() - i) / 2, kWordsPerFold);
    for (size_t w = 0; w < words; ++w, i += 2) {
      sum_ += static_cast<uint32_t>(bytes[i]) << 8 | bytes[i + 1];
    }
    sum_ = (sum_ & 0xffffu) + (sum_ >> 16);
  }
  if (i < bytes.size()) {
    sum_ += static_cast<uint32_t>(bytes[i]) << 8;
    odd_ = true;
  }
  sum_ = (sum_ & 0xffffu) + (sum_ >> 16);
}

void InternetChecksum::addU16(uint16_t hostOrder) {
  const uint8_t bytes[2] = {static_cast<uint8_t>(hostOrder >> 8), static_cast<uint8_t>(hostOrder)};
  add(bytes);
}

void InternetChecksum::addU32(uint32_t hostOrder) {
  addU16(static_cast<uint16_t>(hostOrder >> 16));
  addU16(static_cast<uint16_t>(hostOrder));
}

uint16_t InternetChecksum::finish() const {
  uint32_t folded = sum_;
  while (folded >> 16) folded = (folded & 0xffffu) + (folded >> 16);
  return static_cast<uint16_t>(~folded);
}

}  // namespace vigil
