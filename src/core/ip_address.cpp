#include "core/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigil {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes_.data()) == 1) {
    a.family_ = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes_.data()) == 1) {
    a.family_ = AF_INET6;
    return a;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(uint32_t hostOrder) {
  IpAddress a;
  a.family_ = AF_INET;
  a.bytes_[0] = static_cast<uint8_t>(hostOrder >> 24);
  a.bytes_[1] = static_cast<uint8_t>(hostOrder >> 16);
  a.bytes_[2] = static_cast<uint8_t>(hostOrder >> 8);
  a.bytes_[3] = static_cast<uint8_t>(hostOrder);
  return a;
}

IpAddress IpAddress::fromBytes(int family, const uint8_t* bytes) {
  IpAddress a;
  a.family_ = family;
  std::memcpy(a.bytes_.data(), bytes, family == AF_INET ? 4 : 16);
  return a;
}

bool IpAddress::isMulticast() const {
  if (isV4()) {
    return (bytes_[0] & 0xf0) == 0xe0;
  }
  return isV6() && bytes_[0] == 0xff;
}

bool IpAddress::isLinkLocal() const {
  if (isV4()) {
    return bytes_[0] == 169 && bytes_[1] == 254;
  }
  return isV6() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::toString() const {
  if (empty()) {
    return "";
  }
  if (isV4()) {
    // Dotted quad by hand: glibc's inet_ntop formats IPv4 through sprintf,
    // about 1,800 instructions where this takes a few dozen, and the VRRP
    // worker's snapshot writes addresses every second.
    char buf[INET_ADDRSTRLEN];
    char* at = buf;
    for (size_t i = 0; i < 4; ++i) {
      if (i != 0) *at++ = '.';
      at = std::to_chars(at, buf + sizeof buf, bytes_[i]).ptr;
    }
    return std::string(buf, at);
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(family_, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  IpPrefix p{*address, address->maxPrefix()};
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
    if (len.empty() || ec != std::errc() || end != len.data() + len.size() ||
        value > address->maxPrefix()) {
      return std::nullopt;
    }
    p.length = value;
  }
  return p;
}

std::string IpPrefix::toString() const { return address.toString() + "/" + std::to_string(length); }

}  // namespace vigil
