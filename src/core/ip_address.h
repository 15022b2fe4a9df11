#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// An IPv4 or IPv6 address in network byte order.
class IpAddress {
 public:
  IpAddress() = default;

  // Accepts dotted quad or RFC 4291 text; nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(uint32_t hostOrder);
  static IpAddress fromBytes(int family, const uint8_t* bytes);

  int family() const { return family_; }  // AF_INET, AF_INET6, or AF_UNSPEC when empty
  bool isV4() const { return family_ == AF_INET; }
  bool isV6() const { return family_ == AF_INET6; }
  bool empty() const { return family_ == AF_UNSPEC; }
  size_t size() const { return isV4() ? 4 : (isV6() ? 16 : 0); }
  const uint8_t* bytes() const { return bytes_.data(); }
  unsigned maxPrefix() const { return isV4() ? 32 : 128; }
  bool isMulticast() const;
  bool isLinkLocal() const;

  std::string toString() const;

  auto operator<=>(const IpAddress&) const = default;
  // What the defaulted == would answer (the family, then all 16 bytes),
  // with the bytes compared as two words instead of through a call to
  // memcmp: the receive path compares addresses several times an advert.
  bool operator==(const IpAddress& other) const {
    uint64_t mine[2];
    uint64_t theirs[2];
    std::memcpy(mine, bytes_.data(), sizeof mine);
    std::memcpy(theirs, other.bytes_.data(), sizeof theirs);
    return family_ == other.family_ && mine[0] == theirs[0] && mine[1] == theirs[1];
  }

 private:
  int family_ = AF_UNSPEC;
  std::array<uint8_t, 16> bytes_{};
};

// An address with a prefix length, as written "10.0.0.1/24".
struct IpPrefix {
  IpAddress address;
  unsigned length = 0;

  // Without "/N" the length is the host length (32 or 128).
  static std::optional<IpPrefix> parse(std::string_view text);
  std::string toString() const;
  auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace vigil
