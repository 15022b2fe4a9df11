#include "core/host_bits.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace vigil {

IpAddress withHostBits(const IpAddress& address, unsigned prefixLength, bool ones) {
  std::array<uint8_t, 16> bytes{};
  std::copy_n(address.bytes(), address.size(), bytes.begin());
  for (unsigned bit = prefixLength; bit < address.maxPrefix(); ++bit) {
    const auto mask = static_cast<uint8_t>(0x80U >> (bit % 8));
    if (ones) {
      bytes[bit / 8] |= mask;
    } else {
      bytes[bit / 8] &= static_cast<uint8_t>(~mask);
    }
  }
  return IpAddress::fromBytes(address.family(), bytes.data());
}

}  // namespace vigil
