#include "vrrp/checksum.h"

namespace vigil::vrrp {

void InternetChecksum::add(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    sum_ += odd_ ? b : static_cast<uint32_t>(b) << 8;
    odd_ = !odd_;
    // Fold early so long inputs never overflow 32 bits.
    sum_ = (sum_ & 0xffffu) + (sum_ >> 16);
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

uint16_t InternetChecksum::finish() const {
  uint32_t folded = sum_;
  while (folded >> 16) folded = (folded & 0xffffu) + (folded >> 16);
  return static_cast<uint16_t>(~folded);
}

}  // namespace vigil::vrrp
