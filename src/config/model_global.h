#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/source.h"
#include "core/clock.h"
#include "core/ip_address.h"

// The typed global_defs block (parse_global.cpp). Every value carries
// keepalived's default, or vigil's for vigil's own keywords, so consumers
// never re-implement defaulting. Values that depend on the host (router_id,
// the e-mail sender) stay empty here and are resolved at run time.
namespace vigil::config {

// A command run on an event, with the account to run it as.
// `command` is the command line as written (quotes removed by the lexer);
// the runner splits it into argv. Empty user: global script_user, or the
// default script account.
struct ScriptCommand {
  std::string command;
  std::string user;
  std::string group;
  SourcePos pos;
};

// An account scripts run as (`script_user USER [GROUP]`, vrrp_script `user`).
struct ScriptAccount {
  std::string user;
  std::string group;  // empty: the user's primary group
  SourcePos pos;
};

// notify_fifo / vrrp_notify_fifo / lvs_notify_fifo: a FIFO that receives one
// line per event, and optionally a script vigil starts to read it.
struct NotifyFifo {
  std::string path;
  std::string owner;  // [username [groupname]] after the path
  std::string group;
  std::optional<ScriptCommand> script;  // *_notify_fifo_script
  SourcePos pos;
};

struct SmtpServer {
  std::string host;  // an address or a host name
  uint16_t port = 25;
  SourcePos pos;
};

// `lvs_timeouts [tcp S] [tcpfin S] [udp S]`: unset values leave the
// kernel's current timeouts alone.
struct LvsTimeouts {
  std::optional<Duration> tcp;
  std::optional<Duration> tcpFin;
  std::optional<Duration> udp;
  SourcePos pos;
};

// `lvs_sync_daemon IF [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N]
// [ttl N] [group ADDR]`: the IPVS connection-sync daemon. With an instance
// it runs as master while that instance is MASTER and as backup otherwise;
// without one both daemons run.
struct LvsSyncDaemon {
  std::string interface;
  std::string vrrpInstance;  // empty: both daemons, always
  SourcePos vrrpInstancePos;
  // Sync id: set, or (after validation) the named instance's VRID, or 0.
  uint8_t syncId = 0;
  bool syncIdSet = false;
  std::optional<uint16_t> maxLen;               // unset: the kernel derives it from the MTU
  uint16_t port = 8848;                         // the kernel's default
  std::optional<uint8_t> ttl;                   // unset: the kernel's default (1)
  IpAddress group = IpAddress::v4(0xe0000051);  // 224.0.0.81, the kernel's default
  SourcePos pos;
};

enum class LvsFlushOnStop { No, All, VirtualServersOnly };

// How a TCP_CHECK probes: the kernel's connect(), reset before its final
// ACK leaves so the server builds no connection (the default); a half-open
// SYN from a raw socket answered by SYN-ACK or RST (vigil's
// `tcp_check_mode syn`, check/tcp_syn_probe.h); or the full three-way
// handshake, then a reset (keepalived's way, `tcp_check_mode handshake`).
enum class TcpCheckMode : uint8_t { Connect, Syn, Handshake };
std::string_view toString(TcpCheckMode mode);  // "connect", "syn", "handshake"

// Which series vigil_check_duration_seconds gets (vigil's
// `metrics_check_duration`, doc/monitoring.md): one per real server and
// checker type (the default), one per virtual server and checker type, or
// none; the per-server ones are most of /metrics at thousands of servers.
enum class CheckDurationMetrics : uint8_t { PerServer, PerService, Off };

// What the dataplane is (vigil's `dataplane` keyword).
enum class Dataplane { Kernel, Userspace, None };

// An address and port to listen on (`metrics_listen`).
struct ListenAddress {
  IpAddress address;
  uint16_t port = 0;
  std::string toString() const;  // "127.0.0.1:9650", "[::1]:9650"
};

// Global VRRP defaults; each vrrp_instance keyword of the same name (less
// the `vrrp_` prefix) overrides them.
struct VrrpGlobalDefaults {
  IpAddress mcastGroup4 = IpAddress::v4(0xe0000012);  // 224.0.0.18 (RFC 5798)
  IpAddress mcastGroup6 = *IpAddress::parse("ff02::12");
  Duration garpMasterDelay = std::chrono::seconds(5);  // 0: no second burst
  uint32_t garpMasterRepeat = 5;
  std::optional<Duration> garpLowerPrioDelay;   // unset: garpMasterDelay
  std::optional<uint32_t> garpLowerPrioRepeat;  // unset: garpMasterRepeat
  Duration garpMasterRefresh{0};                // 0: no periodic refresh
  uint32_t garpMasterRefreshRepeat = 1;
  Duration garpInterval{0};         // between gratuitous ARPs on one interface
  Duration gnaInterval{0};          // between unsolicited NAs on one interface
  Duration garpExtraIfInterval{0};  // vrrp_garp_extra_if; 0: off
  bool garpExtraIfAll = false;
  uint32_t downTimerAdverts = 3;
  bool lowerPrioNoAdvert = false;
  bool higherPrioSendAdvert = false;
  int version = 2;
  bool checkUnicastSrc = false;
  bool skipCheckAdvAddr = false;
  bool strict = false;  // vrrp_strict: see doc/config-vrrp.md for what it implies
  bool notifyPriorityChanges = false;
  Duration startupDelay{0};
  bool logUnknownVrids = false;
  std::string vmacPrefix = "vrrp";
  std::string vmacAddrPrefix;  // empty: vmacPrefix
};

// Scheduling of one worker process (vrrp_* and checker_* keywords).
struct ProcessTuning {
  std::optional<int> nice;                   // *_priority -20..19
  std::optional<int> rtPriority;             // *_rt_priority 1..99: SCHED_RR
  bool noSwap = false;                       // *_no_swap: mlockall
  std::vector<int> cpuAffinity;              // *_cpu_affinity
  std::optional<uint32_t> rlimitRttimeUsec;  // *_rlimit_rttime
};

struct SnmpSettings {
  std::string socket = "unix:/var/agentx/master";
  bool vrrp = false;     // enable_snmp_vrrp (KEEPALIVED-MIB VRRP part)
  bool checker = false;  // enable_snmp_checker
  bool rfcV2 = false;    // enable_snmp_rfcv2 (RFC 2787)
  bool rfcV3 = false;    // enable_snmp_rfcv3 (RFC 6527)
  bool traps = false;    // enable_traps
};

struct GlobalDefs {
  SourcePos pos;  // the global_defs keyword (unset when the block is absent)

  std::string routerId;  // empty: the local host name
  // Mail.
  std::vector<std::string> notificationEmails;
  std::string notificationEmailFrom;  // empty: vigil@<host name>
  std::optional<SmtpServer> smtpServer;
  std::string smtpHeloName;  // empty: the local host name
  Duration smtpConnectTimeout = std::chrono::seconds(30);
  bool smtpAlert = false;
  std::optional<bool> smtpAlertVrrp;     // unset: smtpAlert
  std::optional<bool> smtpAlertChecker;  // unset: smtpAlert
  bool noEmailFaults = false;
  bool noCheckerEmails = false;

  // Scripts.
  std::optional<ScriptAccount> scriptUser;
  bool enableScriptSecurity = false;
  std::optional<ScriptCommand> startupScript;
  Duration startupScriptTimeout = std::chrono::seconds(10);
  std::optional<ScriptCommand> shutdownScript;
  Duration shutdownScriptTimeout = std::chrono::seconds(10);
  std::optional<NotifyFifo> notifyFifo;
  std::optional<NotifyFifo> vrrpNotifyFifo;
  std::optional<NotifyFifo> lvsNotifyFifo;
  bool fifoWriteVrrpStatesOnReload = false;

  VrrpGlobalDefaults vrrp;

  // Processes.
  ProcessTuning vrrpProcess;
  ProcessTuning checkerProcess;
  int maxAutoPriority = 0;  // 0: off; -1: off without the start-up warning
  Duration minAutoPriorityDelay = std::chrono::seconds(1);

  // Interfaces.
  std::string defaultInterface = "eth0";  // for static addresses without dev
  bool dynamicInterfaces = false;
  bool allowIfChanges = false;

  // LVS and checkers.
  LvsTimeouts lvsTimeouts;
  std::optional<LvsSyncDaemon> lvsSyncDaemon;
  bool lvsFlush = false;
  LvsFlushOnStop lvsFlushOnStop = LvsFlushOnStop::No;
  bool checkerLogAllFailures = false;
  // vigil: how TCP_CHECKs probe unless they say (TcpCheck::mode).
  TcpCheckMode tcpCheckMode = TcpCheckMode::Connect;
  bool rsInitNotifies = false;

  SnmpSettings snmp;

  // vigil's own keywords.
  Dataplane dataplane = Dataplane::Kernel;
  // Prometheus/JSON endpoint; unset with `metrics_listen off`.
  std::optional<ListenAddress> metricsListen = ListenAddress{IpAddress::v4(0x7f000001), 9650};
  CheckDurationMetrics metricsCheckDuration = CheckDurationMetrics::PerServer;
  // valid_lft/preferred_lft of every VIP, refreshed while MASTER, so VIPs of
  // a SIGKILLed director expire (issue 3). Unset with `vip_lifetime off`.
  std::optional<Duration> vipLifetime = std::chrono::seconds(2);
  // vigilctl's unix socket; vigild --control-socket and
  // $VIGIL_CONTROL_SOCKET override it (cli/vigild/control_socket.h).
  std::string controlSocket = "/run/vigil/vigild.sock";
};

}  // namespace vigil::config
