#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// MD5 (RFC 1321), for the two places vigil needs it: the VRRP AH ICV
// (HMAC-MD5-96, RFC 2402, core/hmac_md5.h) and the HTTP_GET/SSL_GET body
// digest keepalived's genhash prints. Neither is a security boundary that
// MD5's collisions matter to beyond what the protocols already accept; both
// are wire formats fixed by others. Our own ~100 lines rather than
// libcrypto, which a VRRP-only vigild would otherwise map for these two
// functions alone (doc/dependencies.md).
namespace vigil {

// Incremental MD5: update() any number of times, then finish() once.
class Md5 {
 public:
  static constexpr size_t kDigestSize = 16;
  static constexpr size_t kBlockSize = 64;
  using Digest = std::array<uint8_t, kDigestSize>;

  void update(std::span<const uint8_t> bytes);
  void update(std::string_view bytes);
  // Appends the RFC 1321 §3.1-3.2 padding and length and returns the digest
  // (§3.5: A, B, C, D low-order byte first). The object is spent afterwards.
  Digest finish();

 private:
  void compress(const uint8_t* block);

  // §3.3: the buffer A, B, C, D initialised to these words.
  std::array<uint32_t, 4> state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::array<uint8_t, kBlockSize> pending_{};  // bytes not yet a whole block
  size_t pendingSize_ = 0;
  uint64_t totalBytes_ = 0;  // the message length b, in bytes (§3.2 wants bits mod 2^64)
};

Md5::Digest md5Of(std::span<const uint8_t> bytes);
Md5::Digest md5Of(std::string_view bytes);

}  // namespace vigil
