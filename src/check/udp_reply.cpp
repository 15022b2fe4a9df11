#include "check/udp_reply.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::check {

std::optional<std::string> udpReplyMismatch(const config::UdpCheck& udp,
                                            std::span<const uint8_t> reply) {
  if (reply.size() < udp.minReplyLength || reply.size() > udp.maxReplyLength) {
    return fmt::format("reply of {} bytes, outside {}-{}", reply.size(), udp.minReplyLength,
                       udp.maxReplyLength);
  }
  const size_t common = std::min(reply.size(), udp.reply.size());
  for (size_t i = 0; i < common; ++i) {
    const config::MaskedByte& want = udp.reply[i];
    if ((reply[i] & want.mask) != (want.value & want.mask)) {
      return fmt::format("reply byte {} is {:02x}, expected {:02x} (mask {:02x})", i, reply[i],
                         want.value, want.mask);
    }
  }
  return std::nullopt;
}

}  // namespace vigil::check
