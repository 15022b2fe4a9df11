// Names of the LVS model's enumerations, shared by the parser (reading),
// messages and the JSON dump (writing), so each spelling is written once.
#include "config/lvs_names.h"

#include <array>
#include <cctype>
#include <string>

namespace vigil::config {
namespace {

constexpr std::array<std::string_view, 14> kSchedulers = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "mh", "sed", "nq", "fo", "ovf", "twos"};
constexpr std::array<std::string_view, 3> kProtocols = {"TCP", "UDP", "SCTP"};
constexpr std::array<std::string_view, 3> kMethods = {"NAT", "DR", "TUN"};
constexpr std::array<std::string_view, 3> kTunnelTypes = {"ipip", "gue", "gre"};
constexpr std::array<std::string_view, 3> kTunnelChecksums = {"nocsum", "csum", "remcsum"};
constexpr std::array<std::string_view, 9> kCheckerTypes = {
    "TCP_CHECK", "HTTP_GET",  "SSL_GET",    "MISC_CHECK", "SMTP_CHECK",
    "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK"};
constexpr std::array<std::string_view, 5> kHttpProtocols = {"1.0", "1.0C", "1.0K", "1.1", "1.1K"};
constexpr std::array<std::string_view, kRegexOptionCount> kRegexOptions = {
    "allow_empty_class", "alt_bsux",
    "auto_callout",      "caseless",
    "dollar_endonly",    "dotall",
    "dupnames",          "extended",
    "firstline",         "match_unset_backref",
    "multiline",         "never_ucp",
    "never_utf",         "no_auto_capture",
    "no_auto_possess",   "no_dotstar_anchor",
    "no_start_optimize", "ucp",
    "ungreedy",          "utf",
    "never_backslash_c", "alt_circumflex",
    "alt_verbnames",     "use_offset_limit"};
constexpr std::array<std::string_view, 9> kDnsTypes = {"A",   "NS",   "CNAME", "SOA",   "MX",
                                                       "TXT", "AAAA", "RRSIG", "DNSKEY"};

template <class Enum, size_t N>
std::string_view nameOf(const std::array<std::string_view, N>& names, Enum value) {
  auto i = static_cast<size_t>(value);
  return i < N ? names[i] : std::string_view("?");
}

template <class Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

template <size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (auto n : names) {
    out += (out.empty() ? "" : "|") + std::string(n);
  }
  return out;
}

}  // namespace

std::string_view toString(LvsScheduler v) { return nameOf(kSchedulers, v); }
std::string_view toString(LvsProtocol v) { return nameOf(kProtocols, v); }
std::string_view toString(ForwardingMethod v) { return nameOf(kMethods, v); }
std::string_view toString(TunnelType v) { return nameOf(kTunnelTypes, v); }
std::string_view toString(TunnelChecksum v) { return nameOf(kTunnelChecksums, v); }
std::string_view toString(CheckerType v) { return nameOf(kCheckerTypes, v); }
std::string_view toString(HttpProtocol v) { return nameOf(kHttpProtocols, v); }
std::string_view toString(RegexOption v) { return nameOf(kRegexOptions, v); }
std::string_view toString(DnsType v) { return nameOf(kDnsTypes, v); }

namespace lvs {

std::optional<LvsScheduler> schedulerNamed(std::string_view s) {
  return lookup<LvsScheduler>(kSchedulers, s);
}
std::optional<ForwardingMethod> methodNamed(std::string_view s) {
  return lookup<ForwardingMethod>(kMethods, s);
}
std::optional<TunnelType> tunnelTypeNamed(std::string_view s) {
  return lookup<TunnelType>(kTunnelTypes, s);
}
std::optional<TunnelChecksum> tunnelChecksumNamed(std::string_view s) {
  return lookup<TunnelChecksum>(kTunnelChecksums, s);
}
std::optional<HttpProtocol> httpProtocolNamed(std::string_view s) {
  return lookup<HttpProtocol>(kHttpProtocols, s);
}
std::optional<RegexOption> regexOptionNamed(std::string_view s) {
  return lookup<RegexOption>(kRegexOptions, s);
}

std::optional<LvsProtocol> protocolNamed(std::string_view s) {
  // keepalived compares protocol names without regard to case.
  std::string upper(s);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return lookup<LvsProtocol>(kProtocols, upper);
}

std::optional<DnsType> dnsTypeNamed(std::string_view s) {
  std::string upper(s);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return lookup<DnsType>(kDnsTypes, upper);
}

std::string schedulerList() { return joined(kSchedulers); }
std::string httpProtocolList() { return joined(kHttpProtocols); }
std::string dnsTypeList() { return joined(kDnsTypes); }

}  // namespace lvs
}  // namespace vigil::config
