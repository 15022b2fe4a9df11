#include <algorithm>
#include <vector>

#include "core/hmac_md5.h"
#include "vrrp/byte_io.h"
#include "vrrp/ip_header.h"

namespace vigil::vrrp {

std::optional<AhIcv> computeAhIcv(std::span<const uint8_t> ipPacket, const AuthData& key) {
  auto parsed = parseIpv4(ipPacket);
  if (!parsed || !parsed->ah) return std::nullopt;
  const size_t length = parsed->header.totalLength;
  std::vector<uint8_t> copy(ipPacket.begin(), ipPacket.begin() + static_cast<ptrdiff_t>(length));
  std::span<uint8_t> b(copy);
  b[1] = 0;                  // TOS
  wire::writeU16(b, 6, 0);   // flags and fragment offset
  wire::writeU16(b, 10, 0);  // header checksum
  const size_t icvAt = parsed->headerLength + 12;
  std::fill_n(b.begin() + static_cast<ptrdiff_t>(icvAt), kAhIcvSize, 0);

  // HMAC-MD5-96 (RFC 2403): the first 96 bits of the HMAC.
  const Md5::Digest digest = hmacMd5(key, copy);
  AhIcv icv;
  std::copy_n(digest.begin(), kAhIcvSize, icv.begin());
  return icv;
}

bool verifyAh(std::span<const uint8_t> ipPacket, const AuthData& key) {
  auto parsed = parseIpv4(ipPacket);
  auto expected = computeAhIcv(ipPacket, key);
  if (!parsed || !parsed->ah || !expected) return false;
  return equalInConstantTime(*expected, parsed->ah->icv);
}

}  // namespace vigil::vrrp
