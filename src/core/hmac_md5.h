#pragma once

#include <cstdint>
#include <span>

#include "core/md5.h"

// HMAC-MD5 (RFC 2104 §2 with H = MD5, B = 64, L = 16): what VRRPv2's AH
// authentication truncates to its 96-bit ICV (RFC 2403).
namespace vigil {

Md5::Digest hmacMd5(std::span<const uint8_t> key, std::span<const uint8_t> message);

// Whether a and b hold the same bytes, in a time that depends on their
// length only: for comparing a received ICV with the expected one without
// telling a sender how many leading bytes it got right.
bool equalInConstantTime(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace vigil
