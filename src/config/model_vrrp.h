#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_global.h"
#include "config/source.h"
#include "core/clock.h"
#include "core/ip_address.h"

// The typed VRRP part of the configuration (parse_vrrp*.cpp, validated by
// validate_vrrp.cpp). After validation every instance holds its effective
// settings: global defaults, keepalived's implied values and vrrp_strict's
// rules are already applied, so the VRRP worker reads values, not rules.
namespace vigil::config {

// A name referring to another object, with where it was written.
struct NameRef {
  std::string name;
  SourcePos pos;
};

// One entry of track_interface / track_script / track_file / track_process.
// An unset weight means the tracked object's own weight (0 for interfaces).
struct TrackRef {
  std::string name;
  std::optional<int32_t> weight;
  bool reverse = false;
  SourcePos pos;
};

struct TrackingSet {
  std::vector<TrackRef> interfaces;
  std::vector<TrackRef> scripts;
  std::vector<TrackRef> files;
  std::vector<TrackRef> processes;
};

// notify_* scripts of an instance or sync group.
struct NotifyScripts {
  std::optional<ScriptCommand> master;
  std::optional<ScriptCommand> backup;
  std::optional<ScriptCommand> fault;
  std::optional<ScriptCommand> stop;
  std::optional<ScriptCommand> any;  // `notify`: gets TYPE NAME STATE PRIORITY appended
  std::optional<ScriptCommand> masterRxLowerPri;  // instances only
  // notify_deleted: report DELETED rather than FAULT for an instance removed
  // by a reload; the script is optional.
  bool deleted = false;
  std::optional<ScriptCommand> deletedScript;
};

struct VrrpScript {
  std::string name;
  std::string script;  // command line; empty when missing (the script is ignored)
  Duration interval = std::chrono::seconds(1);
  std::optional<Duration> timeout;  // unset: the interval
  int32_t weight = 0;               // -253..253; 0: fault after `fall` failures
  bool weightReverse = false;
  uint32_t rise = 1;
  uint32_t fall = 1;
  std::optional<ScriptAccount> user;
  bool initFail = false;
  SourcePos pos;
};

// track_file: a file holding a number, multiplied by the weight.
struct TrackFile {
  std::string name;
  std::string path;
  int64_t weight = 1;
  bool weightReverse = false;
  bool initFile = false;  // init_file: create the file at start-up
  int64_t initValue = 0;
  bool initOverwrite = false;
  SourcePos pos;
};

enum class ProcessParamMatch { Exact, Partial, Initial };

// vrrp_track_process: up while between quorum and quorumMax matching
// processes run.
struct TrackProcess {
  std::string name;
  std::vector<std::string> process;  // name, then parameters to match
  ProcessParamMatch paramMatch = ProcessParamMatch::Exact;
  bool paramMatchSet = false;  // param_match given (no parameters = must have none)
  int32_t weight = 1;
  bool weightReverse = false;
  uint32_t quorum = 1;
  std::optional<uint32_t> quorumMax;
  Duration forkDelay{0};
  Duration terminateDelay{0};
  bool fullCommand = false;
  SourcePos pos;
};

// An address in virtual_ipaddress(_excluded) or static_ipaddress:
// `ADDR[/LEN] [brd ADDR|+|-] [dev IF] [scope S] [label L] [peer ADDR] ...`.
struct VirtualAddress {
  enum class Broadcast { None, Address, SetHostBits, ClearHostBits };

  IpPrefix prefix;
  Broadcast broadcastMode = Broadcast::None;
  IpAddress broadcast;
  std::string dev;  // empty: the instance's interface (VMAC if any)
  std::string scope = "global";
  std::string label;
  std::optional<IpPrefix> peer;
  bool home = false;
  bool noDad = false;
  bool mngTmpAddr = false;
  bool noPrefixRoute = false;
  bool autoJoin = false;
  bool noTrack = false;
  bool useVmac = false;
  std::string trackGroup;  // static addresses only
  // preferred_lft in seconds; kForever for "forever". Unset: vigil's
  // vip_lifetime for VIPs, 0 (deprecated) for IPv6 /128 per keepalived.
  std::optional<uint32_t> preferredLft;
  static constexpr uint32_t kForever = 0xffffffffu;
  SourcePos pos;
};

// A route (virtual_routes / static_routes). The common fields are typed;
// the rest of `ip route`'s grammar is kept as written in `options`.
struct VirtualRoute {
  std::string type;  // "" (unicast), blackhole, unreachable, prohibit, throw, ...
  IpPrefix to;
  std::optional<IpAddress> src;
  std::optional<IpAddress> via;
  std::string dev;
  std::string table;  // number or name; empty: main
  std::optional<uint32_t> metric;
  std::string scope;
  std::string protocol;
  bool noTrack = false;
  std::string trackGroup;
  std::vector<std::string> options;  // everything else, in order
  SourcePos pos;
};

// A range of a rule selector (uidrange, sport, dport): `N` or `N-M`.
struct RuleRange {
  uint32_t start = 0;
  uint32_t end = 0;
  bool operator==(const RuleRange&) const = default;
};

// A policy rule (virtual_rules / static_rules): the selectors and action of
// `ip rule add`, typed. Names the kernel resolves at install time (table,
// iif, oif) stay as written.
struct VirtualRule {
  enum class Action { Lookup, Goto, Nop, Blackhole, Unreachable, Prohibit };

  std::optional<IpPrefix> from;
  std::optional<IpPrefix> to;
  bool invert = false;  // `not`: the rule matches what the selectors do not
  std::string iif;
  std::string oif;
  std::optional<uint32_t> fwmark;
  std::optional<uint32_t> fwmask;  // `fwmark V/M`
  std::optional<uint8_t> tos;      // tos / dsfield
  std::optional<uint32_t> realms;  // FROM << 16 | TO
  std::optional<RuleRange> uidRange;
  std::optional<uint8_t> ipProto;
  std::optional<RuleRange> sport;
  std::optional<RuleRange> dport;
  bool l3mdev = false;
  std::string table;  // number or name; empty: main (none with l3mdev)
  std::optional<uint32_t> suppressPrefixLength;
  std::optional<uint32_t> suppressIfGroup;
  Action action = Action::Lookup;
  uint32_t gotoTarget = 0;  // the preference `goto` jumps to
  std::optional<uint32_t> preference;
  std::optional<uint8_t> protocol;  // unset: keepalived (18), as for routes
  bool inet6 = false;
  bool noTrack = false;
  std::string trackGroup;
  SourcePos pos;
  int family() const;  // AF_INET unless an address or `inet6` says AF_INET6
};

// `ip rule`'s word for an action ("" for a table lookup).
std::string_view ruleActionName(VirtualRule::Action action);

struct UnicastPeer {
  IpAddress address;
  std::optional<uint8_t> minTtl;
  std::optional<uint8_t> maxTtl;
  SourcePos pos;
};

enum class VrrpAuthType { None, Pass, Ah };

struct VrrpAuth {
  VrrpAuthType type = VrrpAuthType::None;
  std::string password;  // at most 8 bytes (longer is truncated with a warning)
  SourcePos pos;         // the authentication keyword
};

// Gratuitous ARP / unsolicited NA settings (global vrrp_garp_* defaults).
struct GarpSettings {
  Duration masterDelay{0};
  uint32_t masterRepeat = 0;
  Duration lowerPrioDelay{0};
  uint32_t lowerPrioRepeat = 0;
  Duration masterRefresh{0};
  uint32_t masterRefreshRepeat = 0;
  Duration extraIfInterval{0};
  bool extraIfAll = false;
};

enum class VrrpInitialState { Backup, Master };

// Settings an instance may leave to global_defs; validation fills the
// ones not written from the global defaults.
enum class InstanceSetting {
  Priority,
  Version,
  GarpMasterDelay,
  GarpMasterRepeat,
  GarpLowerPrioDelay,
  GarpLowerPrioRepeat,
  GarpMasterRefresh,
  GarpMasterRefreshRepeat,
  GarpExtraIf,
  LowerPrioNoAdvert,
  HigherPrioSendAdvert,
  StrictMode,
  SkipCheckAdvAddr,
  CheckUnicastSrc,
  SmtpAlert,
  DownTimerAdverts,
  NotifyPriorityChanges,
  Accept,
  Count
};

// Where the values that validation checks were written, for its messages.
struct InstancePositions {
  SourcePos interface;
  SourcePos vrid;
  SourcePos priority;
  SourcePos advertInt;
  SourcePos version;
  SourcePos state;
  SourcePos sourceAddress;
  SourcePos mcastDst;
  SourcePos unicastPeer;  // the unicast_peer keyword
  SourcePos preemptDelay;
  SourcePos nopreempt;
  SourcePos family;  // the address that decided the family
};

struct VrrpInstance {
  std::string name;
  SourcePos pos;

  VrrpInitialState initialState = VrrpInitialState::Backup;
  std::string interface;  // empty only for interface-less unicast
  uint8_t vrid = 0;       // 0 until set (validation requires it)
  // 1-255; 255 is the address owner. keepalived's default is 255 for
  // `state MASTER` and 100 otherwise.
  uint8_t priority = 100;
  Duration advertInterval = std::chrono::seconds(1);
  int version = 2;         // 2 or 3 (IPv6 forces 3)
  int family = AF_UNSPEC;  // AF_INET or AF_INET6 after validation

  // use_vmac [NAME] [MAC]
  bool useVmac = false;
  std::string vmacName;  // empty: vmac_prefix + VRID
  std::string vmacMac;   // empty: the RFC 5798 virtual MAC
  bool vmacXmitBase = false;
  bool useVmacAddr = false;

  bool nativeIpv6 = false;
  bool dontTrackPrimary = false;
  bool trackSrcIp = false;
  TrackingSet tracking;

  std::optional<IpAddress> sourceAddress;  // mcast_src_ip / unicast_src_ip
  std::vector<UnicastPeer> unicastPeers;
  bool unicast = false;  // a unicast_peer block was written
  uint8_t unicastTtl = 255;
  bool checkUnicastSrc = false;
  bool unicastFaultNoPeer = false;
  IpAddress mcastDst;  // filled from vrrp_mcast_group4/6 for multicast

  VrrpAuth auth;
  std::vector<VirtualAddress> vips;
  std::vector<VirtualAddress> excludedVips;
  std::vector<VirtualRoute> routes;
  std::vector<VirtualRule> rules;
  bool promoteSecondaries = false;

  bool preempt = true;
  Duration preemptDelay{0};
  bool accept = true;  // RFC 5798 Accept_Mode

  GarpSettings garp;
  bool lowerPrioNoAdvert = false;
  bool higherPrioSendAdvert = false;
  uint32_t downTimerAdverts = 3;  // Master_Down_Interval = N * Master_Adver_Interval + Skew_Time
  bool strictMode = false;
  bool skipCheckAdvAddr = false;
  // old_unicast_checksum: keepalived < 1.3.6 put the multicast group in the
  // VRRPv3 pseudo-header even for unicast. `never` turns off detecting it.
  bool oldUnicastChecksum = false;
  bool oldUnicastChecksumNever = false;
  bool v3ChecksumAsV2 = false;  // vigil: VRRPv3 checksum without pseudo-header

  NotifyScripts notify;
  bool notifyPriorityChanges = false;
  bool smtpAlert = false;
  int debug = 0;
  std::optional<uint32_t> kernelRxBufSize;
  std::string lvsSyncDaemonInterface;  // deprecated per-instance form
  SourcePos lvsSyncDaemonInterfacePos;

  std::string syncGroup;  // set by validation when a sync group lists it

  std::bitset<static_cast<size_t>(InstanceSetting::Count)> explicitSettings;
  InstancePositions at;

  bool isSet(InstanceSetting s) const { return explicitSettings.test(static_cast<size_t>(s)); }
  void markSet(InstanceSetting s) { explicitSettings.set(static_cast<size_t>(s)); }
  bool isAddressOwner() const { return priority == 255; }
};

struct VrrpSyncGroup {
  std::string name;
  std::vector<NameRef> members;
  TrackingSet tracking;
  NotifyScripts notify;
  std::optional<bool> notifyPriorityChanges;
  std::optional<bool> smtpAlert;
  bool globalTracking = false;           // deprecated
  bool syncGroupTrackingWeight = false;  // members may keep weighted tracking
  SourcePos pos;
};

// track_group: VRRP instances that track static addresses/routes/rules.
struct TrackGroup {
  std::string name;
  std::vector<NameRef> members;
  SourcePos pos;
};

// interface_up_down_delays entry.
struct InterfaceDelay {
  std::string interface;
  Duration down{0};
  Duration up{0};
  SourcePos pos;
};

struct VrrpModel {
  std::vector<VrrpScript> scripts;
  std::vector<TrackFile> trackFiles;
  std::vector<TrackProcess> trackProcesses;
  std::vector<VrrpSyncGroup> syncGroups;
  std::vector<VrrpInstance> instances;
  std::vector<TrackGroup> trackGroups;
  std::vector<VirtualAddress> staticAddresses;
  std::vector<VirtualRoute> staticRoutes;
  std::vector<VirtualRule> staticRules;
  std::vector<InterfaceDelay> interfaceDelays;

  const VrrpInstance* findInstance(const std::string& name) const;
  const VrrpScript* findScript(const std::string& name) const;
};

}  // namespace vigil::config
