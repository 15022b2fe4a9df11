#include "check/md5_digest.h"

#include "core/md5.h"

namespace vigil::check {

Md5 md5Of(std::string_view bytes) { return vigil::md5Of(bytes); }

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
