#include "check/icmp_echo.h"

namespace vigil::check {
namespace {

constexpr size_t kIcmpHeaderBytes = 8;

uint16_t get16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

}  // namespace

uint16_t internetChecksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    sum += get16(bytes, i);
  }
  if (i < bytes.size()) {
    sum += static_cast<uint32_t>(bytes[i]) << 8;  // odd length: pad with a zero byte
  }
  while ((sum >> 16) != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::vector<uint8_t> buildEchoRequest(bool ipv6, uint16_t identifier, uint16_t sequence,
                                      std::span<const uint8_t> data) {
  std::vector<uint8_t> out;
  out.reserve(kIcmpHeaderBytes + data.size());
  out.push_back(ipv6 ? kIcmp6EchoRequest : kIcmpEchoRequest);
  out.push_back(0);  // code
  out.push_back(0);  // checksum, below
  out.push_back(0);
  out.push_back(static_cast<uint8_t>(identifier >> 8));
  out.push_back(static_cast<uint8_t>(identifier & 0xff));
  out.push_back(static_cast<uint8_t>(sequence >> 8));
  out.push_back(static_cast<uint8_t>(sequence & 0xff));
  out.insert(out.end(), data.begin(), data.end());
  if (!ipv6) {
    uint16_t checksum = internetChecksum(out);
    out[2] = static_cast<uint8_t>(checksum >> 8);
    out[3] = static_cast<uint8_t>(checksum & 0xff);
  }
  return out;
}

bool isEchoReply(std::span<const uint8_t> packet, const EchoMatch& match) {
  if (match.withIpHeader) {
    if (packet.empty() || (packet[0] >> 4) != 4) {
      return false;
    }
    size_t headerBytes = static_cast<size_t>(packet[0] & 0x0f) * 4;
    if (headerBytes < 20 || packet.size() < headerBytes) {
      return false;
    }
    packet = packet.subspan(headerBytes);
  }
  if (packet.size() < kIcmpHeaderBytes) {
    return false;
  }
  const uint8_t wantType = match.ipv6 ? kIcmp6EchoReply : kIcmpEchoReply;
  return packet[0] == wantType && packet[1] == 0 &&
         (!match.checkIdentifier || get16(packet, 4) == match.identifier) &&
         get16(packet, 6) == match.sequence;
}

}  // namespace vigil::check
