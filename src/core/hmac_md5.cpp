#include "core/hmac_md5.h"

#include <algorithm>
#include <array>

namespace vigil {

Md5::Digest hmacMd5(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  // RFC 2104 §2: a key longer than B bytes is hashed first; the key is then
  // padded with zeros to B bytes.
  std::array<uint8_t, Md5::kBlockSize> paddedKey{};
  if (key.size() > Md5::kBlockSize) {
    const Md5::Digest hashed = md5Of(key);
    std::copy(hashed.begin(), hashed.end(), paddedKey.begin());
  } else {
    std::copy(key.begin(), key.end(), paddedKey.begin());
  }
  // H(K XOR opad, H(K XOR ipad, text)), ipad = 0x36 and opad = 0x5c repeated.
  std::array<uint8_t, Md5::kBlockSize> pad;
  std::transform(paddedKey.begin(), paddedKey.end(), pad.begin(),
                 [](uint8_t byte) { return static_cast<uint8_t>(byte ^ 0x36); });
  Md5 inner;
  inner.update(pad);
  inner.update(message);
  const Md5::Digest innerDigest = inner.finish();
  std::transform(paddedKey.begin(), paddedKey.end(), pad.begin(),
                 [](uint8_t byte) { return static_cast<uint8_t>(byte ^ 0x5c); });
  Md5 outer;
  outer.update(pad);
  outer.update(innerDigest);
  return outer.finish();
}

bool equalInConstantTime(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  // volatile keeps the compiler from stopping at the first difference.
  volatile uint8_t difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference = difference | (a[i] ^ b[i]);
  return difference == 0;
}

}  // namespace vigil
