#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <vector>

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

  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digestLength = 0;
  if (HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), copy.data(), copy.size(), digest,
           &digestLength) == nullptr ||
      digestLength < kAhIcvSize) {
    return std::nullopt;
  }
  AhIcv icv;
  std::copy_n(digest, kAhIcvSize, icv.begin());
  return icv;
}

bool verifyAh(std::span<const uint8_t> ipPacket, const AuthData& key) {
  auto parsed = parseIpv4(ipPacket);
  auto expected = computeAhIcv(ipPacket, key);
  if (!parsed || !parsed->ah || !expected) return false;
  return CRYPTO_memcmp(expected->data(), parsed->ah->icv.data(), kAhIcvSize) == 0;
}

}  // namespace vigil::vrrp
