#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "config/model_lvs.h"

// What UDP_CHECK's require_reply asks of a reply. Pure.
namespace vigil::check {

// Why `reply` fails `udp`'s require_reply, or nullopt when it passes: its
// length must lie in [min_reply_length, max_reply_length], and where both
// it and the require_reply pattern have bytes they must agree on every bit
// the pattern's mask keeps (an x in the hex string masks four bits).
std::optional<std::string> udpReplyMismatch(const config::UdpCheck& udp,
                                            std::span<const uint8_t> reply);

}  // namespace vigil::check
