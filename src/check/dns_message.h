#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_lvs.h"
#include "core/result.h"

// The two DNS messages DNS_CHECK needs (RFC 1035 section 4): a one-question
// query, and what a reply to it says. Pure.
namespace vigil::check {

// The RR TYPE code of a configured query type (A 1, NS 2, ... DNSKEY 48).
uint16_t dnsTypeCode(config::DnsType type);

// A standard query with recursion desired: header (id, flags 0x0100,
// QDCOUNT 1), then QNAME for `name` ("." or "" is the root; a trailing dot
// is optional), QTYPE `type` and QCLASS IN. EINVAL for an empty label, a
// label over 63 bytes or a name over 255.
Result<std::vector<uint8_t>> buildDnsQuery(uint16_t id, std::string_view name,
                                           config::DnsType type);

enum class DnsVerdict {
  Answered,   // a response to our query, NOERROR, with at least one answer
  NotOurs,    // too short, another id, or not a response: ignore it
  Malformed,  // ours by id but not a well-formed echo of our question
  ErrorCode,  // RCODE not NOERROR (SERVFAIL, NXDOMAIN, REFUSED, ...)
  NoAnswer,   // NOERROR but an empty answer section
};

struct DnsReplyCheck {
  DnsVerdict verdict = DnsVerdict::NotOurs;
  unsigned rcode = 0;  // for ErrorCode
  std::string detail;  // for logs: "rcode 3 (NXDOMAIN)", "2 answers"
};

// Reads `reply` as the answer to `query` (as buildDnsQuery made it): the
// id and the question section must be echoed back (names compared without
// regard to ASCII case).
DnsReplyCheck checkDnsReply(std::span<const uint8_t> query, std::span<const uint8_t> reply);

}  // namespace vigil::check
