#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

// The digest keepalived's HTTP_GET/SSL_GET and genhash compare: MD5 over the
// response body exactly as received (headers excluded), printed as 32
// lowercase hex digits. Kept identical so existing `url { digest }` values
// keep working.
namespace vigil::check {

using Md5 = std::array<uint8_t, 16>;

Md5 md5Of(std::string_view bytes);
// "6f5902ac237024bdd0c176cb93063dc4"
std::string toHex(const Md5& digest);

}  // namespace vigil::check
