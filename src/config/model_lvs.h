#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/model_global.h"
#include "config/source.h"
#include "core/clock.h"
#include "core/ip_address.h"

// The typed LVS part of the configuration: virtual_server_group,
// virtual_server with its real servers and their checkers, and the SSL block
// SSL_GET uses (parse_lvs*.cpp, parse_checkers.cpp, validate_lvs.cpp).
//
// Everything here is resolved: a real server carries the forwarding method
// and weight it inherited from its virtual server, and every checker the
// delay_loop, connect_timeout, retry, delay_before_retry, warmup and alpha it
// inherited (checker <- real server <- virtual server <- keepalived's
// defaults), and the address and port it probes. Consumers never re-implement
// defaulting or inheritance.
namespace vigil::config {

// IPVS schedulers by the kernel's names (ip_vs_<name>.ko).
enum class LvsScheduler : uint8_t {
  Rr,
  Wrr,
  Lc,
  Wlc,
  Lblc,
  Lblcr,
  Dh,
  Sh,
  Mh,
  Sed,
  Nq,
  Fo,
  Ovf,
  Twos
};
enum class LvsProtocol : uint8_t { Tcp, Udp, Sctp };
// ipvsadm's -m (masquerading), -g (gatewaying), -i (ipip/tunnel).
enum class ForwardingMethod : uint8_t { Nat, DirectRouting, Tunnel };
enum class TunnelType : uint8_t { Ipip, Gue, Gre };
// Tunnel checksum options (Linux 5.3+): nocsum (the kernel default), csum,
// remcsum (GUE only).
enum class TunnelChecksum : uint8_t { NoChecksum, Checksum, RemoteChecksum };

std::string_view toString(LvsScheduler scheduler);   // "wlc"
std::string_view toString(LvsProtocol protocol);     // "TCP"
std::string_view toString(ForwardingMethod method);  // "NAT", "DR", "TUN"
std::string_view toString(TunnelType type);          // "ipip"
std::string_view toString(TunnelChecksum checksum);  // "nocsum"

// Scheduler flag bits, as the kernel's IP_VS_SVC_F_SCHED1..3 and ipvsadm's
// `-b flag-N`. sh-fallback and mh-fallback are flag-1; sh-port and mh-port
// are flag-2.
inline constexpr uint8_t kSchedulerFlag1 = 0x1;
inline constexpr uint8_t kSchedulerFlag2 = 0x2;
inline constexpr uint8_t kSchedulerFlag3 = 0x4;

// How packets reach a real or sorry server.
struct Forwarding {
  ForwardingMethod method = ForwardingMethod::Nat;
  // The rest applies to Tunnel only.
  TunnelType tunnelType = TunnelType::Ipip;
  TunnelChecksum tunnelChecksum = TunnelChecksum::NoChecksum;
  uint16_t tunnelPort = 0;  // GUE's UDP port (required for GUE, 0 otherwise)

  bool operator==(const Forwarding&) const = default;
};

// A network interface name, held inline (at most IFNAMSIZ - 1 bytes) so the
// per-checker model stays small.
class InterfaceName {
 public:
  static constexpr size_t kMaxLength = 15;

  InterfaceName() = default;
  // nullopt when longer than kMaxLength.
  static std::optional<InterfaceName> from(std::string_view name);

  std::string_view view() const { return bytes_.data(); }
  bool empty() const { return bytes_[0] == '\0'; }
  bool operator==(const InterfaceName&) const = default;

 private:
  std::array<char, kMaxLength + 1> bytes_{};
};

// A probe's bind options, which few checkers set.
struct ProbeBinding {
  IpAddress address;        // bindto; empty: the kernel chooses
  InterfaceName interface;  // bind_if; needed for a link-local bindto
  uint32_t fwmark = 0;      // SO_MARK on probe packets; 0: none
  uint16_t port = 0;        // bind_port; 0: any

  bool operator==(const ProbeBinding&) const = default;
};

// Where a probe goes, with the real server's address and port filled in
// unless connect_ip / connect_port override them. The bind options are held
// by pointer, null when none is set: 40 bytes a target instead of 64, in
// every one of a check worker's 20,000 checkers (issue 4).
class ProbeTarget {
 public:
  IpAddress address;  // connect_ip
  uint16_t port = 0;  // connect_port; 0 only for PING_CHECK

  const ProbeBinding& binding() const { return binding_ ? *binding_ : kNoBinding; }
  // Whether any bind option is set.
  bool bound() const { return binding_ != nullptr; }
  // Replaces the bind options; all of them unset makes the target unbound.
  void setBinding(const ProbeBinding& binding) {
    if (binding == kNoBinding) {
      binding_.reset();
    } else if (!binding_ || *binding_ != binding) {
      binding_ = std::make_shared<const ProbeBinding>(binding);
    }
  }
  // Takes `other`'s bind options (sharing them).
  void shareBinding(const ProbeTarget& other) { binding_ = other.binding_; }
  const IpAddress& bindAddress() const { return binding().address; }
  const InterfaceName& bindInterface() const { return binding().interface; }
  uint32_t fwmark() const { return binding().fwmark; }
  uint16_t bindPort() const { return binding().port; }

  bool operator==(const ProbeTarget& other) const {
    return address == other.address && port == other.port && binding() == other.binding();
  }

 private:
  static inline const ProbeBinding kNoBinding{};
  // Copies of a target share it.
  std::shared_ptr<const ProbeBinding> binding_;
};

enum class CheckerType : uint8_t { Tcp, Http, Ssl, Misc, Smtp, Dns, Udp, Ping, File };
std::string_view toString(CheckerType type);  // "TCP_CHECK"

// What every checker has, owned by the one checker base (issue 4).
struct CheckerBase {
  SourcePos pos;                // the checker keyword (TCP_CHECK, HTTP_GET, ...)
  Duration delayLoop{};         // between probes while the state is settled
  Duration connectTimeout{};    // a probe not finished by then fails
  Duration delayBeforeRetry{};  // between a failure and its retry
  Duration warmup{};            // the first probe waits a random time in [0, warmup]
  uint32_t retry = 0;           // failed probes beyond the first before "down"
  CheckerType type = CheckerType::Tcp;
  bool alpha = false;  // start down until the first success
  // Log every failure, not only state changes. Unless written in the
  // checker (logAllFailuresSet), global_defs checker_log_all_failures.
  bool logAllFailures = false;
  bool logAllFailuresSet = false;
};

// The per-type parts. Where a network checker connects is Checker::target.

struct TcpCheck {
  // Unless written in the checker (modeSet), global_defs tcp_check_mode.
  // Checks with bind_port, bind_if or fwmark always connect.
  TcpCheckMode mode = TcpCheckMode::Connect;
  bool modeSet = false;
  bool operator==(const TcpCheck&) const = default;
};

// An inclusive range of HTTP status codes (100-599).
struct StatusRange {
  uint16_t first = 0;
  uint16_t last = 0;
  bool operator==(const StatusRange&) const = default;
};

// http_protocol: 1.0 (default), 1.0C (adds "Connection: close"), 1.1
// (which closes by default), and genhash's keep-alive variants 1.0K / 1.1K.
enum class HttpProtocol : uint8_t { Http10, Http10Close, Http10KeepAlive, Http11, Http11KeepAlive };
std::string_view toString(HttpProtocol protocol);  // "1.0C"

// regex_options, by their PCRE2 names (pcre2api(3)); bit i of
// HttpRegex::options is RegexOption(i).
enum class RegexOption : uint8_t {
  AllowEmptyClass,
  AltBsux,
  AutoCallout,
  Caseless,
  DollarEndonly,
  Dotall,
  Dupnames,
  Extended,
  Firstline,
  MatchUnsetBackref,
  Multiline,
  NeverUcp,
  NeverUtf,
  NoAutoCapture,
  NoAutoPossess,
  NoDotstarAnchor,
  NoStartOptimize,
  Ucp,
  Ungreedy,
  Utf,
  NeverBackslashC,
  AltCircumflex,
  AltVerbnames,
  UseOffsetLimit,
};
inline constexpr size_t kRegexOptionCount = 24;
std::string_view toString(RegexOption option);  // "caseless"

struct HttpRegex {
  std::string pattern;
  bool noMatch = false;     // regex_no_match: a match fails the check
  uint32_t options = 0;     // RegexOption bits
  uint32_t stackStart = 0;  // regex_stack START MAX (bytes); 0: PCRE2's default
  uint32_t stackMax = 0;
  uint32_t minOffset = 0;  // regex_min_offset
  uint32_t maxOffset = 0;  // regex_max_offset; 0: no limit

  bool has(RegexOption option) const { return (options >> static_cast<unsigned>(option)) & 1U; }
};

// One url { } of HTTP_GET / SSL_GET.
struct HttpUrl {
  SourcePos pos;
  std::string path;
  // MD5 of the body as keepalived's genhash prints it.
  std::optional<std::array<uint8_t, 16>> digest;
  std::vector<StatusRange> statusCodes;  // never empty; default 200-299
  // The Host header: url, then checker, real server, virtual server
  // virtualhost; null: the target address.
  std::shared_ptr<const std::string> virtualhost;
  std::shared_ptr<const HttpRegex> regex;  // null: no regex

  bool acceptsStatus(unsigned status) const;
};

// HTTP_GET and SSL_GET.
struct HttpCheck {
  std::vector<HttpUrl> urls;  // at least one
  HttpProtocol protocol = HttpProtocol::Http10;
  bool tls = false;                // SSL_GET
  bool enableSni = false;          // send SNI (the url's virtualhost, or sniName)
  bool verifyCertificate = false;  // vigil: verify_cert, against SSL { ca }
  bool fastRecovery = false;
  std::string sniName;  // vigil: sni_name; empty: the url's virtualhost
};

// MISC_CHECK: run a program; exit 0 up, 1 down, with misc_dynamic 2-255 up
// with weight code - 2.
struct MiscCheck {
  ScriptCommand script;  // misc_path (+ user USER [GROUP])
  Duration timeout{};    // misc_timeout; default: the checker's delay_loop
  bool dynamic = false;  // misc_dynamic
};

// SMTP_CHECK: one dialogue per host; all must succeed.
struct SmtpCheck {
  // host { } blocks, or the checker's own target; never empty, and
  // Checker::target is the first.
  std::vector<ProbeTarget> hosts;
  std::string heloName = "smtpchecker.keepalived.org";
};

enum class DnsType : uint8_t { A, Ns, Cname, Soa, Mx, Txt, Aaaa, Rrsig, Dnskey };
std::string_view toString(DnsType type);  // "SOA"

struct DnsCheck {
  DnsType type = DnsType::Soa;
  std::string name = ".";
};

// A byte to match where only the bits set in `mask` matter (an x in a
// configured hex string clears four of them).
struct MaskedByte {
  uint8_t value = 0;
  uint8_t mask = 0xff;
  bool operator==(const MaskedByte&) const = default;
};

// UDP_CHECK: send a datagram; ICMP errors mean down; optionally require a
// reply of the given length that matches a pattern.
struct UdpCheck {
  std::vector<uint8_t> payload;  // empty: a random payload
  bool requireReply = false;
  std::vector<MaskedByte> reply;  // matched up to the shorter length
  uint16_t minReplyLength = 0;
  uint16_t maxReplyLength = 255;
};

struct PingCheck {
  bool operator==(const PingCheck&) const = default;
};

// FILE_CHECK: the number in a track_file, times weight, adjusts the real
// server's weight; a negative result marks it down.
struct FileCheck {
  std::string trackFile;  // names a top-level track_file block
  SourcePos trackFilePos;
  int32_t weight = 1;
  bool reverse = false;
  bool dynamic = false;
};

using CheckerProbe = std::variant<TcpCheck, HttpCheck, MiscCheck, SmtpCheck, DnsCheck, UdpCheck,
                                  PingCheck, FileCheck>;

// The one TcpCheck that every TCP_CHECK with `tcp`'s settings shares.
std::shared_ptr<const CheckerProbe> sharedTcpCheck(const TcpCheck& tcp);

struct Checker {
  CheckerBase base;
  // Where the probe connects (port 0 for PING_CHECK); unused by MISC_CHECK
  // and FILE_CHECK, which hold the real server's address and port here.
  ProbeTarget target;
  // The per-type part, immutable and held by reference so a checker stays
  // small: every TCP_CHECK shares one TcpCheck, every PING_CHECK one
  // PingCheck. Never null.
  std::shared_ptr<const CheckerProbe> probe;
};

// What few real servers set. Held by RealServer::options, so a server that
// sets none of it costs one pointer, not 56 bytes (issue 4: a check worker
// keeps 20,000 real servers).
struct RealServerOptions {
  uint32_t upperThreshold = 0;                    // uthreshold; 0: no limit
  uint32_t lowerThreshold = 0;                    // lthreshold
  std::shared_ptr<const ScriptCommand> notifyUp;  // null: none
  std::shared_ptr<const ScriptCommand> notifyDown;
  std::shared_ptr<const std::string> virtualhost;  // the real server's, else the service's
  std::shared_ptr<const std::string> snmpName;

  // The pointers by identity: servers inheriting one virtualhost compare equal.
  bool operator==(const RealServerOptions&) const = default;
};

struct RealServer {
  SourcePos pos;  // the real_server keyword
  IpAddress address;
  uint16_t port = 0;  // 0: none (fwmark services with non-NAT forwarding)
  Forwarding forwarding;
  uint32_t weight = 1;            // 0-2147483647, as keepalived and the kernel allow
  bool inhibitOnFailure = false;  // down sets weight 0 instead of removing
  bool alpha = false;
  // Unless written (smtpAlertSet): global_defs smtp_alert_checker, else
  // smtp_alert, else on (keepalived keeps real servers' alerts on).
  bool smtpAlert = true;
  bool smtpAlertSet = false;
  // Null when every option has its default; the servers of one virtual
  // server with equal options share one object.
  std::shared_ptr<const RealServerOptions> options;
  std::vector<Checker> checkers;  // none: always up

  uint32_t upperThreshold() const { return opts().upperThreshold; }
  uint32_t lowerThreshold() const { return opts().lowerThreshold; }
  const std::shared_ptr<const ScriptCommand>& notifyUp() const { return opts().notifyUp; }
  const std::shared_ptr<const ScriptCommand>& notifyDown() const { return opts().notifyDown; }
  const std::shared_ptr<const std::string>& virtualhost() const { return opts().virtualhost; }
  const std::shared_ptr<const std::string>& snmpName() const { return opts().snmpName; }

 private:
  // Constant-initialised (constinit): read without the guard a function's
  // static would check on every call.
  static constinit inline const RealServerOptions kNoOptions{};
  const RealServerOptions& opts() const { return options ? *options : kNoOptions; }
};

struct SorryServer {
  SourcePos pos;  // the sorry_server keyword
  IpAddress address;
  uint16_t port = 0;
  Forwarding forwarding;  // sorry_server_lvs_method, default the service's
  bool inhibit = false;   // sorry_server_inhibit
};

enum class ServiceKind : uint8_t { Address, Fwmark, Group };

struct VirtualServer {
  SourcePos pos;  // the virtual_server keyword
  ServiceKind kind = ServiceKind::Address;
  IpAddress address;      // Address
  uint16_t port = 0;      // Address; 0: none (a persistent service)
  uint32_t fwmark = 0;    // Fwmark
  std::string groupName;  // Group
  size_t groupIndex = 0;  // Group: index into LvsModel::groups
  // AF_INET or AF_INET6: the address's family, or for fwmark and group
  // services ip_family, else that of the real servers (IPv4 when mixed).
  int family = AF_UNSPEC;
  // Meaningless for fwmark services. Not written: UDP, as keepalived does
  // (with a warning), since the kernel takes protocol 0 as UDP.
  LvsProtocol protocol = LvsProtocol::Udp;
  SourcePos protocolPos;  // where `protocol` was written; unset: defaulted
  LvsScheduler scheduler = LvsScheduler::Wlc;
  uint8_t schedulerFlags = 0;  // kSchedulerFlag* bits
  bool hashed = false;
  bool onePacket = false;           // ops (UDP only)
  Forwarding forwarding;            // the default for real servers
  uint32_t persistenceTimeout = 0;  // seconds; 0: not persistent
  // Client addresses sharing persistence: a prefix length (a netmask for
  // IPv4); 32 or 128 (one address) unless persistence_granularity is set.
  uint8_t persistenceGranularity = 0;
  std::string persistenceEngine;  // e.g. "sip"; empty: none
  bool haSuspend = false;
  bool alpha = false;
  bool omega = false;
  bool inhibitOnFailure = false;
  // Unless written (smtpAlertSet): global_defs smtp_alert_checker, else
  // smtp_alert.
  bool smtpAlert = false;
  bool smtpAlertSet = false;
  uint32_t quorum = 1;
  uint32_t hysteresis = 0;
  std::shared_ptr<const ScriptCommand> quorumUp;
  std::shared_ptr<const ScriptCommand> quorumDown;
  std::shared_ptr<const std::string> virtualhost;
  std::shared_ptr<const std::string> snmpName;
  std::optional<SorryServer> sorryServer;
  std::vector<RealServer> realServers;  // at least one

  // "[10.0.0.1]:tcp:80", "FWM 1", "group VSG_1", as in messages and the notify FIFO.
  std::string describe() const;
};

// One line of a virtual_server_group.
struct VirtualServerGroupEntry {
  enum class Kind : uint8_t { Range, Fwmark };

  SourcePos pos;
  Kind kind = Kind::Range;
  // Range: first..last inclusive (equal for one address), same family.
  IpAddress first;
  IpAddress last;
  uint16_t port = 0;  // 0: none
  uint32_t fwmark = 0;
  int fwmarkFamily = AF_UNSPEC;  // `fwmark N inet|inet6`
};

struct VirtualServerGroup {
  SourcePos pos;
  std::string name;
  std::vector<VirtualServerGroupEntry> entries;  // expanded by the dataplane
};

// The SSL { } block: the TLS context of every SSL_GET. Empty paths: a
// context with the library's defaults.
struct SslContext {
  SourcePos pos;
  std::string password;
  std::string caFile;
  std::string certificateFile;
  std::string keyFile;
};

struct LvsModel {
  std::vector<VirtualServerGroup> groups;
  std::vector<VirtualServer> virtualServers;
  std::optional<SslContext> ssl;

  const VirtualServerGroup* findGroup(std::string_view name) const;
};

}  // namespace vigil::config
