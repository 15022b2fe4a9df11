#include "check/md5_digest.h"

#include <openssl/evp.h>

#include <memory>

namespace vigil::check {

Md5 md5Of(std::string_view bytes) {
  Md5 digest{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned int length = 0;
  // MD5 is always present in OpenSSL's default provider; a failure here is
  // an allocation failure, and the zero digest then simply never matches.
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1) {
    EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  }
  return digest;
}

std::string toHex(const Md5& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xf]);
  }
  return text;
}

}  // namespace vigil::check
