#pragma once

#include <cstdint>
#include <span>

// One Internet checksum for every wire format vigil builds or checks: VRRP
// adverts and their IP headers, gratuitous NAs, and the half-open TCP
// check's SYNs.
namespace vigil {

// The RFC 1071 Internet checksum, accumulated over several pieces (a
// pseudo-header, then the message) as if they were one byte stream.
class InternetChecksum {
 public:
  void add(std::span<const uint8_t> bytes);
  void addU16(uint16_t hostOrder);
  void addU32(uint32_t hostOrder);

  // The ones' complement of the sum: the value to put in a checksum field
  // that was zero while summing, or 0 when verifying a message that already
  // holds a correct checksum.
  uint16_t finish() const;

 private:
  uint64_t sum_ = 0;  // unfolded
  bool odd_ = false;  // the next byte is the low half of a 16-bit word
};

}  // namespace vigil
