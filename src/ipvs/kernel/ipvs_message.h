#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/ip_address.h"
#include "core/result.h"
#include "ipvs/model.h"
#include "ipvs/stats.h"

struct nl_msg;
struct nlattr;
struct nlmsghdr;

// The "IPVS" generic-netlink messages as values: encoding ops and settings
// into requests, decoding what the kernel reports back into model values.
// No socket here: every function is pure over libnl message buffers, so the
// whole layer is unit-tested by parsing what it builds.
//
// What the kernel reports is decoded faithfully (HASHED is set on every
// service, a local destination is Local); KernelEcho (kernel_echo.h) then
// restores what vigil wrote where the kernel does not echo it.
namespace vigil::ipvs::kernel {

struct NlMsgFree {
  void operator()(nl_msg* msg) const;
};
using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgFree>;

// A generic-netlink request to `familyId` (the resolved "IPVS" id) carrying
// `command` (IPVS_CMD_*); `flags` adds NLM_F_* bits such as NLM_F_DUMP.
Result<NlMsgPtr> newRequest(int familyId, uint8_t command, int flags = 0);

// The request that applies one op: NEW/SET/DEL_SERVICE or NEW/SET/DEL_DEST
// with the service (and destination) nested as the kernel parses them.
Result<NlMsgPtr> encodeOp(int familyId, const Op& op);
// The op a request built by encodeOp() carries (the inverse of encodeOp).
Result<Op> decodeOp(nlmsghdr* header);

// A service dump request (GET_SERVICE, NLM_F_DUMP) and the destination dump
// of one service (GET_DEST with the service's key).
Result<NlMsgPtr> encodeServiceDump(int familyId);
Result<NlMsgPtr> encodeDestinationDump(int familyId, const ServiceKey& service);

// One service of a GET_SERVICE reply, as the kernel reports it.
struct ReportedService {
  ServiceKey key;
  Service service;
  TrafficCounters traffic;
};
// One destination of a GET_DEST reply, as the kernel reports it.
struct ReportedDestination {
  DestinationKey key;
  Destination destination;
  DestinationStats stats;
};

// Decodes a reply message's IPVS_CMD_ATTR_SERVICE / IPVS_CMD_ATTR_DEST.
// Malformed or missing attributes are an EPROTO error, never a crash.
// `serviceFamily` is the address family of destinations that do not carry
// IPVS_DEST_ATTR_ADDR_FAMILY (kernels before 4.x).
Result<ReportedService> decodeServiceReply(nlmsghdr* header);
Result<ReportedDestination> decodeDestinationReply(nlmsghdr* header, int serviceFamily);

// The kernel's connection-sync daemon (IPVS_CMD_NEW_DAEMON / DEL_DAEMON).
enum class SyncRole : uint8_t { Master, Backup };  // IP_VS_STATE_MASTER / _BACKUP
std::string_view toString(SyncRole role);          // "master", "backup"

// `lvs_sync_daemon IF [id N] [maxlen N] [port N] [ttl N] [group ADDR]`.
// Zero / empty optional fields are left out, so the kernel uses its defaults
// (maxlen from the MTU, port 8848, ttl 1, group 224.0.0.81 / ff02::81).
struct SyncDaemonSettings {
  SyncRole role = SyncRole::Master;
  std::string interface;   // IPVS_DAEMON_ATTR_MCAST_IFN
  uint32_t syncId = 0;     // IPVS_DAEMON_ATTR_SYNC_ID
  uint16_t maxLength = 0;  // IPVS_DAEMON_ATTR_SYNC_MAXLEN (UDP payload)
  uint16_t port = 0;       // IPVS_DAEMON_ATTR_MCAST_PORT
  uint8_t ttl = 0;         // IPVS_DAEMON_ATTR_MCAST_TTL
  IpAddress group;         // IPVS_DAEMON_ATTR_MCAST_GROUP / _GROUP6

  bool operator==(const SyncDaemonSettings&) const = default;
};

Result<NlMsgPtr> encodeStartDaemon(int familyId, const SyncDaemonSettings& settings);
Result<NlMsgPtr> encodeStopDaemon(int familyId, SyncRole role);
// The settings a NEW_DAEMON request (or a GET_DAEMON reply) carries.
Result<SyncDaemonSettings> decodeDaemon(nlmsghdr* header);

// `lvs_timeouts tcp N tcpfin N udp N` in seconds; 0 leaves one unchanged.
struct LvsTimeouts {
  uint32_t tcp = 0;     // IPVS_CMD_ATTR_TIMEOUT_TCP
  uint32_t tcpFin = 0;  // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN
  uint32_t udp = 0;     // IPVS_CMD_ATTR_TIMEOUT_UDP

  bool operator==(const LvsTimeouts&) const = default;
};

Result<NlMsgPtr> encodeSetTimeouts(int familyId, const LvsTimeouts& timeouts);
Result<LvsTimeouts> decodeTimeouts(nlmsghdr* header);

// The IPVS_CMD_* a message carries.
uint8_t commandOf(nlmsghdr* header);

}  // namespace vigil::ipvs::kernel
