#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/ip_address.h"

namespace vigil::test {

// An rtnetlink message written field by field as <linux/rtnetlink.h> and
// <linux/fib_rules.h> lay them out, in host byte order as netlink carries
// them: the kernel's dumps and notifications, by hand.
class RtnetlinkMessage {
 public:
  explicit RtnetlinkMessage(uint16_t type) {
    u32(0);  // nlmsg_len, set by header()
    u16(type);
    u16(NLM_F_MULTI);
    u32(1);  // seq
    u32(0);  // pid
  }
  RtnetlinkMessage& u8(uint8_t v) { return raw(&v, 1); }
  RtnetlinkMessage& u16(uint16_t v) { return raw(&v, 2); }
  RtnetlinkMessage& u32(uint32_t v) { return raw(&v, 4); }
  RtnetlinkMessage& ip(const char* text) {
    const IpAddress address = *IpAddress::parse(text);
    return raw(address.bytes(), address.size());
  }
  // An attribute's header; its value follows (4-byte aligned values only).
  RtnetlinkMessage& attr(uint16_t type, uint16_t valueLength) {
    return u16(static_cast<uint16_t>(4 + valueLength)).u16(type);
  }
  nlmsghdr* header() {
    const auto length = static_cast<uint32_t>(bytes_.size());
    std::memcpy(bytes_.data(), &length, 4);
    return reinterpret_cast<nlmsghdr*>(bytes_.data());
  }

 private:
  RtnetlinkMessage& raw(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace vigil::test
