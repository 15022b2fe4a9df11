#include "check/dns_message.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

namespace vigil::check {
namespace {

constexpr size_t kHeaderBytes = 12;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 255;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kFlagRecursionDesired = 0x0100;
constexpr uint16_t kFlagResponse = 0x8000;

void put16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value & 0xff));
}

uint16_t get16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

std::string_view rcodeName(unsigned rcode) {
  static constexpr std::array<std::string_view, 6> kNames = {"NOERROR",  "FORMERR", "SERVFAIL",
                                                             "NXDOMAIN", "NOTIMP",  "REFUSED"};
  return rcode < kNames.size() ? kNames[rcode] : "other";
}

}  // namespace

uint16_t dnsTypeCode(config::DnsType type) {
  switch (type) {
    case config::DnsType::A:
      return 1;
    case config::DnsType::Ns:
      return 2;
    case config::DnsType::Cname:
      return 5;
    case config::DnsType::Soa:
      return 6;
    case config::DnsType::Mx:
      return 15;
    case config::DnsType::Txt:
      return 16;
    case config::DnsType::Aaaa:
      return 28;
    case config::DnsType::Rrsig:
      return 46;
    case config::DnsType::Dnskey:
      return 48;
  }
  return 0;
}

Result<std::vector<uint8_t>> buildDnsQuery(uint16_t id, std::string_view name,
                                           config::DnsType type) {
  std::vector<uint8_t> out;
  put16(out, id);
  put16(out, kFlagRecursionDesired);
  put16(out, 1);  // QDCOUNT
  put16(out, 0);  // ANCOUNT
  put16(out, 0);  // NSCOUNT
  put16(out, 0);  // ARCOUNT
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  size_t nameBytes = 1;  // the root label
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel) {
      return Error{EINVAL, fmt::format("DNS name: bad label \"{}\"", label)};
    }
    nameBytes += label.size() + 1;
    if (nameBytes > kMaxName) {
      return Error{EINVAL, "DNS name longer than 255 bytes"};
    }
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out.push_back(0);
  put16(out, dnsTypeCode(type));
  put16(out, kClassIn);
  return out;
}

DnsReplyCheck checkDnsReply(std::span<const uint8_t> query, std::span<const uint8_t> reply) {
  DnsReplyCheck out;
  if (reply.size() < kHeaderBytes || query.size() < kHeaderBytes ||
      get16(reply, 0) != get16(query, 0) || (get16(reply, 2) & kFlagResponse) == 0) {
    out.detail = "not a reply to our query";
    return out;
  }
  // Our question is everything after the header; the reply must carry
  // one question that equals it (names case-insensitively, RFC 4343).
  std::span<const uint8_t> question = query.subspan(kHeaderBytes);
  std::span<const uint8_t> echoed = reply.subspan(kHeaderBytes);
  bool sameQuestion =
      get16(reply, 4) == 1 && echoed.size() >= question.size() &&
      std::equal(question.begin(), question.end(), echoed.begin(), [](uint8_t a, uint8_t b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  if (!sameQuestion) {
    out.verdict = DnsVerdict::Malformed;
    out.detail = "reply does not echo the question";
    return out;
  }
  out.rcode = get16(reply, 2) & 0x000f;
  if (out.rcode != 0) {
    out.verdict = DnsVerdict::ErrorCode;
    out.detail = fmt::format("rcode {} ({})", out.rcode, rcodeName(out.rcode));
    return out;
  }
  uint16_t answers = get16(reply, 6);
  if (answers == 0) {
    out.verdict = DnsVerdict::NoAnswer;
    out.detail = "no answer records";
    return out;
  }
  out.verdict = DnsVerdict::Answered;
  out.detail = fmt::format("{} answer(s)", answers);
  return out;
}

}  // namespace vigil::check
