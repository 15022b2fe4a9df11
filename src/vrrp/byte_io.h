#pragma once

#include <cstdint>
#include <span>

// Network-byte-order field access for the codecs: every multi-byte field is
// read and written here, one byte at a time, never through a struct cast.
namespace vigil::vrrp::wire {

inline uint16_t readU16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

inline uint32_t readU32(std::span<const uint8_t> b, size_t at) {
  return (static_cast<uint32_t>(readU16(b, at)) << 16) | readU16(b, at + 2);
}

inline void writeU16(std::span<uint8_t> b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

inline void writeU32(std::span<uint8_t> b, size_t at, uint32_t v) {
  writeU16(b, at, static_cast<uint16_t>(v >> 16));
  writeU16(b, at + 2, static_cast<uint16_t>(v));
}

}  // namespace vigil::vrrp::wire
