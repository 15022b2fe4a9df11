#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace vigil::test {

// Lower-case hex of `bytes`, as digests are written in RFCs and by md5sum.
inline std::string hexText(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xf]);
  }
  return text;
}

}  // namespace vigil::test
