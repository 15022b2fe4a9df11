#include "ipvs/kernel/ipvs_message.h"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

namespace vigil::ipvs::kernel {

void NlMsgFree::operator()(nl_msg* msg) const { nlmsg_free(msg); }

namespace {

// Every IPVS attribute that holds an address is a union nf_inet_addr.
constexpr size_t kInetAddrSize = 16;

using CommandAttrs = std::array<nlattr*, IPVS_CMD_ATTR_MAX + 1>;
using ServiceAttrs = std::array<nlattr*, IPVS_SVC_ATTR_MAX + 1>;
using DestAttrs = std::array<nlattr*, IPVS_DEST_ATTR_MAX + 1>;
using StatsAttrs = std::array<nlattr*, IPVS_STATS_ATTR_MAX + 1>;
using DaemonAttrs = std::array<nlattr*, IPVS_DAEMON_ATTR_MAX + 1>;

Error protocolError(std::string what) { return Error{EPROTO, "IPVS netlink: " + std::move(what)}; }
Error encodeError(std::string what) {
  return Error{EMSGSIZE, "IPVS netlink: encoding " + std::move(what)};
}

// Attribute readers that check the length first: a short attribute from a
// confused kernel (or a fuzzer) is reported, never read past.
std::optional<uint8_t> getU8(const nlattr* a) {
  if (a == nullptr || nla_len(a) < 1) return std::nullopt;
  return nla_get_u8(a);
}
std::optional<uint16_t> getU16(const nlattr* a) {
  if (a == nullptr || nla_len(a) < 2) return std::nullopt;
  return nla_get_u16(a);
}
std::optional<uint16_t> getBe16(const nlattr* a) {
  auto v = getU16(a);
  if (!v) return std::nullopt;
  return ntohs(*v);
}
std::optional<uint32_t> getU32(const nlattr* a) {
  if (a == nullptr || nla_len(a) < 4) return std::nullopt;
  return nla_get_u32(a);
}
// Counters are u64 in STATS64 and mostly u32 in the old STATS nest.
uint64_t getCounter(const nlattr* a) {
  if (a == nullptr) return 0;
  if (nla_len(a) >= 8) return nla_get_u64(a);
  return getU32(a).value_or(0);
}
std::optional<std::string> getString(const nlattr* a) {
  if (a == nullptr || nla_len(a) < 1) return std::nullopt;
  const char* text = static_cast<const char*>(nla_data(a));
  return std::string(text, strnlen(text, static_cast<size_t>(nla_len(a))));
}
std::optional<IpAddress> getAddress(const nlattr* a, int family) {
  size_t need = family == AF_INET6 ? 16 : 4;
  if (a == nullptr || static_cast<size_t>(nla_len(a)) < need) return std::nullopt;
  return IpAddress::fromBytes(family, static_cast<const uint8_t*>(nla_data(a)));
}

bool putAddress(nl_msg* msg, int type, const IpAddress& address) {
  std::array<uint8_t, kInetAddrSize> bytes{};
  std::memcpy(bytes.data(), address.bytes(), address.size());
  return nla_put(msg, type, static_cast<int>(bytes.size()), bytes.data()) == 0;
}

uint8_t protocolNumber(Protocol p) {
  switch (p) {
    case Protocol::Tcp:
      return IPPROTO_TCP;
    case Protocol::Udp:
      return IPPROTO_UDP;
    case Protocol::Sctp:
      return IPPROTO_SCTP;
    case Protocol::None:
      break;
  }
  return 0;
}

std::optional<Protocol> protocolFrom(uint16_t number) {
  switch (number) {
    case IPPROTO_TCP:
      return Protocol::Tcp;
    case IPPROTO_UDP:
      return Protocol::Udp;
    case IPPROTO_SCTP:
      return Protocol::Sctp;
    default:
      return std::nullopt;
  }
}

uint32_t forwardingFlag(ForwardingMethod m) {
  switch (m) {
    case ForwardingMethod::Nat:
      return IP_VS_CONN_F_MASQ;
    case ForwardingMethod::DirectRouting:
      return IP_VS_CONN_F_DROUTE;
    case ForwardingMethod::Tunnel:
      return IP_VS_CONN_F_TUNNEL;
    case ForwardingMethod::Local:
      return IP_VS_CONN_F_LOCALNODE;
    case ForwardingMethod::Bypass:
      return IP_VS_CONN_F_BYPASS;
  }
  return IP_VS_CONN_F_MASQ;
}

std::optional<ForwardingMethod> forwardingFrom(uint32_t flags) {
  switch (flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ:
      return ForwardingMethod::Nat;
    case IP_VS_CONN_F_DROUTE:
      return ForwardingMethod::DirectRouting;
    case IP_VS_CONN_F_TUNNEL:
      return ForwardingMethod::Tunnel;
    case IP_VS_CONN_F_LOCALNODE:
      return ForwardingMethod::Local;
    case IP_VS_CONN_F_BYPASS:
      return ForwardingMethod::Bypass;
    default:
      return std::nullopt;
  }
}

uint16_t tunnelFlags(TunnelChecksum c) {
  switch (c) {
    case TunnelChecksum::NoChecksum:
      return IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
    case TunnelChecksum::Checksum:
      return IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
    case TunnelChecksum::RemoteChecksum:
      return IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
  }
  return IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
}

TunnelChecksum checksumFrom(uint16_t flags) {
  if ((flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) != 0) return TunnelChecksum::RemoteChecksum;
  if ((flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM) != 0) return TunnelChecksum::Checksum;
  return TunnelChecksum::NoChecksum;
}

// IPv4 services carry the persistence netmask as a dotted mask in network
// order; IPv6 services carry the prefix length itself (ip_vs_ctl.c checks
// 1..128 for AF_INET6).
uint32_t netmaskValue(uint8_t prefix, int family) {
  if (family == AF_INET6) return prefix;
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - std::min<unsigned>(prefix, 32));
  return htonl(mask);
}

uint8_t netmaskPrefix(uint32_t value, int family) {
  if (family == AF_INET6) return static_cast<uint8_t>(std::min<uint32_t>(value, 128));
  return static_cast<uint8_t>(std::countl_one(ntohl(value)));
}

uint32_t serviceFlags(const Service& s) {
  uint32_t flags = 0;
  if (s.persistent()) flags |= IP_VS_SVC_F_PERSISTENT;
  if (s.hashed) flags |= IP_VS_SVC_F_HASHED;
  if (s.onePacket) flags |= IP_VS_SVC_F_ONEPACKET;
  flags |= static_cast<uint32_t>(s.schedulerFlags & 0x7) * IP_VS_SVC_F_SCHED1;
  return flags;
}

bool putServiceKey(nl_msg* msg, const ServiceKey& key) {
  if (nla_put_u16(msg, IPVS_SVC_ATTR_AF, static_cast<uint16_t>(key.family)) != 0) return false;
  if (key.isFwmark()) return nla_put_u32(msg, IPVS_SVC_ATTR_FWMARK, key.fwmark) == 0;
  return nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, protocolNumber(key.protocol)) == 0 &&
         putAddress(msg, IPVS_SVC_ATTR_ADDR, key.address) &&
         nla_put_u16(msg, IPVS_SVC_ATTR_PORT, htons(key.port)) == 0;
}

bool putServiceSettings(nl_msg* msg, const Service& s, int family) {
  ip_vs_flags flags{serviceFlags(s), ~uint32_t{0}};
  if (nla_put_string(msg, IPVS_SVC_ATTR_SCHED_NAME, s.scheduler.c_str()) != 0 ||
      nla_put(msg, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags) != 0 ||
      nla_put_u32(msg, IPVS_SVC_ATTR_TIMEOUT, s.persistenceTimeout) != 0 ||
      nla_put_u32(msg, IPVS_SVC_ATTR_NETMASK, netmaskValue(s.netmaskPrefix, family)) != 0) {
    return false;
  }
  // Leaving PE_NAME out on an edit removes the engine, as ipvsadm does.
  return s.persistenceEngine.empty() ||
         nla_put_string(msg, IPVS_SVC_ATTR_PE_NAME, s.persistenceEngine.c_str()) == 0;
}

// IPVS_CMD_ATTR_SERVICE: the key, plus the settings when `service` is given.
bool putService(nl_msg* msg, const ServiceKey& key, const Service* service) {
  nlattr* nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
  if (nest == nullptr || !putServiceKey(msg, key)) return false;
  if (service != nullptr && !putServiceSettings(msg, *service, key.family)) return false;
  return nla_nest_end(msg, nest) == 0;
}

bool putDestinationSettings(nl_msg* msg, const Destination& d) {
  return nla_put_u32(msg, IPVS_DEST_ATTR_FWD_METHOD, forwardingFlag(d.forwarding)) == 0 &&
         nla_put_u32(msg, IPVS_DEST_ATTR_WEIGHT, d.weight) == 0 &&
         nla_put_u32(msg, IPVS_DEST_ATTR_U_THRESH, d.upperThreshold) == 0 &&
         nla_put_u32(msg, IPVS_DEST_ATTR_L_THRESH, d.lowerThreshold) == 0 &&
         nla_put_u8(msg, IPVS_DEST_ATTR_TUN_TYPE, static_cast<uint8_t>(d.tunnelType)) == 0 &&
         nla_put_u16(msg, IPVS_DEST_ATTR_TUN_PORT, htons(d.tunnelPort)) == 0 &&
         nla_put_u16(msg, IPVS_DEST_ATTR_TUN_FLAGS, tunnelFlags(d.tunnelChecksum)) == 0;
}

// IPVS_CMD_ATTR_DEST: the key, plus the settings when `destination` is given.
bool putDestination(nl_msg* msg, const DestinationKey& key, const Destination* destination) {
  nlattr* nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);
  if (nest == nullptr || !putAddress(msg, IPVS_DEST_ATTR_ADDR, key.address) ||
      nla_put_u16(msg, IPVS_DEST_ATTR_PORT, htons(key.port)) != 0 ||
      nla_put_u16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, static_cast<uint16_t>(key.address.family())) !=
          0) {
    return false;
  }
  if (destination != nullptr && !putDestinationSettings(msg, *destination)) return false;
  return nla_nest_end(msg, nest) == 0;
}

Result<CommandAttrs> parseCommand(nlmsghdr* header) {
  CommandAttrs attrs{};
  if (!genlmsg_valid_hdr(header, 0) ||
      genlmsg_parse(header, 0, attrs.data(), IPVS_CMD_ATTR_MAX, nullptr) < 0) {
    return protocolError("malformed generic netlink message");
  }
  return attrs;
}

template <size_t N>
bool parseNested(std::array<nlattr*, N>& out, nlattr* nest) {
  return nest != nullptr && nla_parse_nested(out.data(), N - 1, nest, nullptr) == 0;
}

Result<ServiceKey> decodeServiceKey(const ServiceAttrs& a) {
  auto family = getU16(a[IPVS_SVC_ATTR_AF]);
  if (!family || (*family != AF_INET && *family != AF_INET6)) {
    return protocolError("service without a valid address family");
  }
  if (auto fwmark = getU32(a[IPVS_SVC_ATTR_FWMARK]); fwmark && *fwmark != 0) {
    return ServiceKey::forFwmark(*family, *fwmark);
  }
  auto protocol = getU16(a[IPVS_SVC_ATTR_PROTOCOL]);
  auto address = getAddress(a[IPVS_SVC_ATTR_ADDR], *family);
  auto port = getBe16(a[IPVS_SVC_ATTR_PORT]);
  auto known = protocol ? protocolFrom(*protocol) : std::nullopt;
  if (!known || !address || !port) {
    return protocolError("service without protocol, address or port");
  }
  return ServiceKey::forAddress(*known, *address, *port);
}

Result<Service> decodeServiceSettings(const ServiceAttrs& a, int family) {
  auto scheduler = getString(a[IPVS_SVC_ATTR_SCHED_NAME]);
  auto timeout = getU32(a[IPVS_SVC_ATTR_TIMEOUT]);
  auto netmask = getU32(a[IPVS_SVC_ATTR_NETMASK]);
  const nlattr* flagsAttr = a[IPVS_SVC_ATTR_FLAGS];
  if (!scheduler || !timeout || !netmask || flagsAttr == nullptr ||
      static_cast<size_t>(nla_len(flagsAttr)) < sizeof(ip_vs_flags)) {
    return protocolError("service without scheduler, flags, timeout or netmask");
  }
  ip_vs_flags flags{};
  std::memcpy(&flags, nla_data(flagsAttr), sizeof(flags));
  Service s;
  s.scheduler = *scheduler;
  s.schedulerFlags = static_cast<uint8_t>((flags.flags / IP_VS_SVC_F_SCHED1) & 0x7);
  s.onePacket = (flags.flags & IP_VS_SVC_F_ONEPACKET) != 0;
  s.hashed = (flags.flags & IP_VS_SVC_F_HASHED) != 0;
  // The kernel keeps (and reports) a timeout on non-persistent services too;
  // only the PERSISTENT flag makes it mean anything.
  s.persistenceTimeout = (flags.flags & IP_VS_SVC_F_PERSISTENT) != 0 ? *timeout : 0;
  s.netmaskPrefix = netmaskPrefix(*netmask, family);
  s.persistenceEngine = getString(a[IPVS_SVC_ATTR_PE_NAME]).value_or("");
  return s;
}

TrafficCounters decodeTraffic(nlattr* stats64, nlattr* stats32) {
  StatsAttrs a{};
  if (!parseNested(a, stats64 != nullptr ? stats64 : stats32)) return {};
  TrafficCounters t;
  t.connections = getCounter(a[IPVS_STATS_ATTR_CONNS]);
  t.inPackets = getCounter(a[IPVS_STATS_ATTR_INPKTS]);
  t.outPackets = getCounter(a[IPVS_STATS_ATTR_OUTPKTS]);
  t.inBytes = getCounter(a[IPVS_STATS_ATTR_INBYTES]);
  t.outBytes = getCounter(a[IPVS_STATS_ATTR_OUTBYTES]);
  t.connectionRate = getCounter(a[IPVS_STATS_ATTR_CPS]);
  t.inPacketRate = getCounter(a[IPVS_STATS_ATTR_INPPS]);
  t.outPacketRate = getCounter(a[IPVS_STATS_ATTR_OUTPPS]);
  t.inByteRate = getCounter(a[IPVS_STATS_ATTR_INBPS]);
  t.outByteRate = getCounter(a[IPVS_STATS_ATTR_OUTBPS]);
  return t;
}

Result<DestinationKey> decodeDestinationKey(const DestAttrs& a, int serviceFamily) {
  int family = getU16(a[IPVS_DEST_ATTR_ADDR_FAMILY]).value_or(static_cast<uint16_t>(serviceFamily));
  if (family != AF_INET && family != AF_INET6) {
    return protocolError("destination with an unknown address family");
  }
  auto address = getAddress(a[IPVS_DEST_ATTR_ADDR], family);
  auto port = getBe16(a[IPVS_DEST_ATTR_PORT]);
  if (!address || !port) return protocolError("destination without address or port");
  return DestinationKey{*address, *port};
}

Result<Destination> decodeDestinationSettings(const DestAttrs& a) {
  auto fwd = getU32(a[IPVS_DEST_ATTR_FWD_METHOD]);
  auto weight = getU32(a[IPVS_DEST_ATTR_WEIGHT]);
  auto forwarding = fwd ? forwardingFrom(*fwd) : std::nullopt;
  if (!forwarding || !weight) return protocolError("destination without forwarding or weight");
  Destination d;
  d.forwarding = *forwarding;
  d.weight = *weight;
  d.upperThreshold = getU32(a[IPVS_DEST_ATTR_U_THRESH]).value_or(0);
  d.lowerThreshold = getU32(a[IPVS_DEST_ATTR_L_THRESH]).value_or(0);
  // The kernel keeps tunnel settings on every destination; the model keeps
  // them only where they mean something.
  if (d.forwarding == ForwardingMethod::Tunnel) {
    uint8_t type = getU8(a[IPVS_DEST_ATTR_TUN_TYPE]).value_or(IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
    if (type >= IP_VS_CONN_F_TUNNEL_TYPE_MAX) return protocolError("unknown tunnel type");
    d.tunnelType = static_cast<TunnelType>(type);
    d.tunnelPort = getBe16(a[IPVS_DEST_ATTR_TUN_PORT]).value_or(0);
    d.tunnelChecksum = checksumFrom(getU16(a[IPVS_DEST_ATTR_TUN_FLAGS]).value_or(0));
  }
  return d;
}

struct ParsedService {
  ServiceAttrs attrs{};
  ServiceKey key;
};

Result<ParsedService> parseService(const CommandAttrs& cmd) {
  ParsedService parsed;
  if (!parseNested(parsed.attrs, cmd[IPVS_CMD_ATTR_SERVICE])) {
    return protocolError("message without a service");
  }
  auto key = decodeServiceKey(parsed.attrs);
  if (!key) return key.error();
  parsed.key = *key;
  return parsed;
}

Result<std::pair<DestinationKey, DestAttrs>> parseDestination(const CommandAttrs& cmd,
                                                              int serviceFamily) {
  DestAttrs attrs{};
  if (!parseNested(attrs, cmd[IPVS_CMD_ATTR_DEST])) {
    return protocolError("message without a destination");
  }
  auto key = decodeDestinationKey(attrs, serviceFamily);
  if (!key) return key.error();
  return std::pair{*key, attrs};
}

template <class OpT>
Result<Op> serviceOp(const ParsedService& svc) {
  auto settings = decodeServiceSettings(svc.attrs, svc.key.family);
  if (!settings) return settings.error();
  return Op{OpT{svc.key, *settings}};
}

template <class OpT>
Result<Op> destinationOp(const ParsedService& svc, const CommandAttrs& cmd) {
  auto dest = parseDestination(cmd, svc.key.family);
  if (!dest) return dest.error();
  if constexpr (std::is_same_v<OpT, DeleteDestination>) {
    return Op{DeleteDestination{svc.key, dest->first}};
  } else {
    auto settings = decodeDestinationSettings(dest->second);
    if (!settings) return settings.error();
    return Op{OpT{svc.key, dest->first, *settings}};
  }
}

uint8_t stateOf(SyncRole role) {
  return role == SyncRole::Master ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP;
}

}  // namespace

Result<NlMsgPtr> newRequest(int familyId, uint8_t command, int flags) {
  NlMsgPtr msg(nlmsg_alloc());
  if (!msg) return Error{ENOMEM, "IPVS netlink: allocating a message"};
  if (genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, familyId, 0, flags, command,
                  IPVS_GENL_VERSION) == nullptr) {
    return encodeError("the generic netlink header");
  }
  return msg;
}

uint8_t commandOf(nlmsghdr* header) {
  if (!genlmsg_valid_hdr(header, 0)) return IPVS_CMD_UNSPEC;
  return static_cast<genlmsghdr*>(nlmsg_data(header))->cmd;
}

Result<NlMsgPtr> encodeOp(int familyId, const Op& op) {
  struct Encoding {
    uint8_t command;
    const Service* service = nullptr;
    const DestinationKey* destKey = nullptr;
    const Destination* destination = nullptr;
  };
  Encoding e = std::visit(
      [](const auto& o) -> Encoding {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, AddService>) return {IPVS_CMD_NEW_SERVICE, &o.service};
        if constexpr (std::is_same_v<T, EditService>) return {IPVS_CMD_SET_SERVICE, &o.service};
        if constexpr (std::is_same_v<T, DeleteService>) return {IPVS_CMD_DEL_SERVICE};
        if constexpr (std::is_same_v<T, AddDestination>) {
          return {IPVS_CMD_NEW_DEST, nullptr, &o.key, &o.destination};
        }
        if constexpr (std::is_same_v<T, EditDestination>) {
          return {IPVS_CMD_SET_DEST, nullptr, &o.key, &o.destination};
        }
        if constexpr (std::is_same_v<T, DeleteDestination>) {
          return {IPVS_CMD_DEL_DEST, nullptr, &o.key};
        }
      },
      op);
  auto msg = newRequest(familyId, e.command);
  if (!msg) return msg.error();
  if (!putService(msg->get(), serviceOf(op), e.service) ||
      (e.destKey != nullptr && !putDestination(msg->get(), *e.destKey, e.destination))) {
    return encodeError(toString(op));
  }
  return msg;
}

Result<Op> decodeOp(nlmsghdr* header) {
  auto cmd = parseCommand(header);
  if (!cmd) return cmd.error();
  auto svc = parseService(*cmd);
  if (!svc) return svc.error();
  switch (commandOf(header)) {
    case IPVS_CMD_NEW_SERVICE:
      return serviceOp<AddService>(*svc);
    case IPVS_CMD_SET_SERVICE:
      return serviceOp<EditService>(*svc);
    case IPVS_CMD_DEL_SERVICE:
      return Op{DeleteService{svc->key}};
    case IPVS_CMD_NEW_DEST:
      return destinationOp<AddDestination>(*svc, *cmd);
    case IPVS_CMD_SET_DEST:
      return destinationOp<EditDestination>(*svc, *cmd);
    case IPVS_CMD_DEL_DEST:
      return destinationOp<DeleteDestination>(*svc, *cmd);
    default:
      return protocolError("not a service or destination command");
  }
}

Result<NlMsgPtr> encodeServiceDump(int familyId) {
  return newRequest(familyId, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
}

Result<NlMsgPtr> encodeDestinationDump(int familyId, const ServiceKey& service) {
  auto msg = newRequest(familyId, IPVS_CMD_GET_DEST, NLM_F_DUMP);
  if (!msg) return msg.error();
  if (!putService(msg->get(), service, nullptr)) return encodeError("a destination dump");
  return msg;
}

Result<ReportedService> decodeServiceReply(nlmsghdr* header) {
  auto cmd = parseCommand(header);
  if (!cmd) return cmd.error();
  auto svc = parseService(*cmd);
  if (!svc) return svc.error();
  auto settings = decodeServiceSettings(svc->attrs, svc->key.family);
  if (!settings) return settings.error();
  return ReportedService{
      svc->key, *settings,
      decodeTraffic(svc->attrs[IPVS_SVC_ATTR_STATS64], svc->attrs[IPVS_SVC_ATTR_STATS])};
}

Result<ReportedDestination> decodeDestinationReply(nlmsghdr* header, int serviceFamily) {
  auto cmd = parseCommand(header);
  if (!cmd) return cmd.error();
  auto dest = parseDestination(*cmd, serviceFamily);
  if (!dest) return dest.error();
  const DestAttrs& a = dest->second;
  auto settings = decodeDestinationSettings(a);
  if (!settings) return settings.error();
  DestinationStats stats;
  stats.traffic = decodeTraffic(a[IPVS_DEST_ATTR_STATS64], a[IPVS_DEST_ATTR_STATS]);
  stats.activeConnections = getU32(a[IPVS_DEST_ATTR_ACTIVE_CONNS]).value_or(0);
  stats.inactiveConnections = getU32(a[IPVS_DEST_ATTR_INACT_CONNS]).value_or(0);
  stats.persistentConnections = getU32(a[IPVS_DEST_ATTR_PERSIST_CONNS]).value_or(0);
  return ReportedDestination{dest->first, *settings, stats};
}

std::string_view toString(SyncRole role) { return role == SyncRole::Master ? "master" : "backup"; }

Result<NlMsgPtr> encodeStartDaemon(int familyId, const SyncDaemonSettings& s) {
  auto msg = newRequest(familyId, IPVS_CMD_NEW_DAEMON);
  if (!msg) return msg.error();
  nl_msg* m = msg->get();
  nlattr* nest = nla_nest_start(m, IPVS_CMD_ATTR_DAEMON);
  bool ok = nest != nullptr && nla_put_u32(m, IPVS_DAEMON_ATTR_STATE, stateOf(s.role)) == 0 &&
            nla_put_string(m, IPVS_DAEMON_ATTR_MCAST_IFN, s.interface.c_str()) == 0 &&
            nla_put_u32(m, IPVS_DAEMON_ATTR_SYNC_ID, s.syncId) == 0;
  if (ok && s.maxLength != 0) ok = nla_put_u16(m, IPVS_DAEMON_ATTR_SYNC_MAXLEN, s.maxLength) == 0;
  if (ok && s.port != 0) ok = nla_put_u16(m, IPVS_DAEMON_ATTR_MCAST_PORT, s.port) == 0;
  if (ok && s.ttl != 0) ok = nla_put_u8(m, IPVS_DAEMON_ATTR_MCAST_TTL, s.ttl) == 0;
  if (ok && s.group.isV4()) {
    ok = nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, s.group.bytes()) == 0;
  } else if (ok && s.group.isV6()) {
    ok = nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, s.group.bytes()) == 0;
  }
  if (!ok || nla_nest_end(m, nest) != 0) return encodeError("the sync daemon");
  return msg;
}

Result<NlMsgPtr> encodeStopDaemon(int familyId, SyncRole role) {
  auto msg = newRequest(familyId, IPVS_CMD_DEL_DAEMON);
  if (!msg) return msg.error();
  nlattr* nest = nla_nest_start(msg->get(), IPVS_CMD_ATTR_DAEMON);
  if (nest == nullptr || nla_put_u32(msg->get(), IPVS_DAEMON_ATTR_STATE, stateOf(role)) != 0 ||
      nla_nest_end(msg->get(), nest) != 0) {
    return encodeError("the sync daemon stop");
  }
  return msg;
}

Result<SyncDaemonSettings> decodeDaemon(nlmsghdr* header) {
  auto cmd = parseCommand(header);
  if (!cmd) return cmd.error();
  DaemonAttrs a{};
  if (!parseNested(a, (*cmd)[IPVS_CMD_ATTR_DAEMON])) {
    return protocolError("message without a sync daemon");
  }
  auto state = getU32(a[IPVS_DAEMON_ATTR_STATE]);
  auto interface = getString(a[IPVS_DAEMON_ATTR_MCAST_IFN]);
  auto syncId = getU32(a[IPVS_DAEMON_ATTR_SYNC_ID]);
  if (!state || (*state != IP_VS_STATE_MASTER && *state != IP_VS_STATE_BACKUP) || !interface ||
      !syncId) {
    return protocolError("sync daemon without state, interface or sync id");
  }
  SyncDaemonSettings s;
  s.role = *state == IP_VS_STATE_MASTER ? SyncRole::Master : SyncRole::Backup;
  s.interface = *interface;
  s.syncId = *syncId;
  s.maxLength = getU16(a[IPVS_DAEMON_ATTR_SYNC_MAXLEN]).value_or(0);
  s.port = getU16(a[IPVS_DAEMON_ATTR_MCAST_PORT]).value_or(0);
  s.ttl = getU8(a[IPVS_DAEMON_ATTR_MCAST_TTL]).value_or(0);
  if (auto v6 = getAddress(a[IPVS_DAEMON_ATTR_MCAST_GROUP6], AF_INET6)) {
    s.group = *v6;
  } else if (auto v4 = getAddress(a[IPVS_DAEMON_ATTR_MCAST_GROUP], AF_INET)) {
    s.group = *v4;
  }
  return s;
}

Result<NlMsgPtr> encodeSetTimeouts(int familyId, const LvsTimeouts& t) {
  auto msg = newRequest(familyId, IPVS_CMD_SET_CONFIG);
  if (!msg) return msg.error();
  nl_msg* m = msg->get();
  if (nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp) != 0 ||
      nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFin) != 0 ||
      nla_put_u32(m, IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp) != 0) {
    return encodeError("the timeouts");
  }
  return msg;
}

Result<LvsTimeouts> decodeTimeouts(nlmsghdr* header) {
  auto cmd = parseCommand(header);
  if (!cmd) return cmd.error();
  LvsTimeouts t;
  t.tcp = getU32((*cmd)[IPVS_CMD_ATTR_TIMEOUT_TCP]).value_or(0);
  t.tcpFin = getU32((*cmd)[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]).value_or(0);
  t.udp = getU32((*cmd)[IPVS_CMD_ATTR_TIMEOUT_UDP]).value_or(0);
  return t;
}

}  // namespace vigil::ipvs::kernel
