#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/ip_address.h"

// The IPVS table as values: what the kernel's "IPVS" generic-netlink family
// holds (IPVS_SVC_ATTR_* and IPVS_DEST_ATTR_*), minus statistics. The control
// side builds the desired IpvsState from configuration and health; backends
// read the current one; reconcile() (reconcile.h) computes the difference.
//
// Values are canonical so that equal tables compare equal: a fwmark service
// has no protocol, address or port; a non-tunnel destination keeps the tunnel
// fields at their defaults. Backends normalise what they read the same way.
namespace vigil::ipvs {

// IPPROTO_TCP / IPPROTO_UDP / IPPROTO_SCTP; None for fwmark services.
enum class Protocol : uint8_t { None, Tcp, Udp, Sctp };
std::string_view toString(Protocol protocol);  // "TCP", "UDP", "SCTP", "" (None)

// What identifies a virtual service: the kernel looks a service up by
// (family, protocol, address, port) or by (family, fwmark), and none of these
// can be edited; a change is a different service.
struct ServiceKey {
  int family = AF_INET;  // AF_INET or AF_INET6 (IPVS_SVC_ATTR_AF)
  uint32_t fwmark = 0;   // non-zero: a fwmark service
  Protocol protocol = Protocol::None;
  IpAddress address;  // empty for fwmark services
  uint16_t port = 0;  // 0: any port (persistent services), and fwmark services

  static ServiceKey forAddress(Protocol protocol, const IpAddress& address, uint16_t port);
  static ServiceKey forFwmark(int family, uint32_t fwmark);

  bool isFwmark() const { return fwmark != 0; }
  auto operator<=>(const ServiceKey&) const = default;
};

// "TCP  10.0.0.1:80", "SCTP 10.0.0.1:80", "UDP  [2001:db8::1]:53", "FWM  7",
// "FWM  7 IPv6", as ipvsadm -Ln names a service.
std::string toString(const ServiceKey& key);

// Scheduler flag bits, IP_VS_SVC_F_SCHED1..3 shifted down to bit 0 (as
// config::kSchedulerFlag*): flag-1 is sh-fallback / mh-fallback, flag-2
// sh-port / mh-port.
inline constexpr uint8_t kSchedFlag1 = 0x1;
inline constexpr uint8_t kSchedFlag2 = 0x2;
inline constexpr uint8_t kSchedFlag3 = 0x4;

// The editable part of a virtual service (ip_vs_edit_service changes all of
// it in place).
struct Service {
  std::string scheduler = "wlc";  // IPVS_SVC_ATTR_SCHED_NAME: rr wrr lc wlc ... twos
  uint8_t schedulerFlags = 0;     // kSchedFlag* bits
  bool onePacket = false;         // IP_VS_SVC_F_ONEPACKET (UDP "ops")
  // IP_VS_SVC_F_HASHED as configured (keepalived's `hashed`). The kernel
  // marks every service it holds as hashed, so a kernel backend decides how
  // to report it; the in-memory backend keeps what it was given.
  bool hashed = false;
  // IPVS_SVC_ATTR_TIMEOUT in seconds; non-zero means IP_VS_SVC_F_PERSISTENT.
  uint32_t persistenceTimeout = 0;
  // IPVS_SVC_ATTR_NETMASK as a prefix length: clients sharing persistence.
  // 32 (IPv4) or 128 (IPv6) is one client address; serviceFrom() fills it.
  uint8_t netmaskPrefix = 32;
  std::string persistenceEngine;  // IPVS_SVC_ATTR_PE_NAME, e.g. "sip"; empty: none

  bool persistent() const { return persistenceTimeout != 0; }
  bool operator==(const Service&) const = default;
};

// IP_VS_CONN_F_MASQ / _DROUTE / _TUNNEL / _LOCALNODE / _BYPASS. The kernel
// turns a destination that is a local address into Local.
enum class ForwardingMethod : uint8_t { Nat, DirectRouting, Tunnel, Local, Bypass };
// IP_VS_CONN_F_TUNNEL_TYPE_IPIP / _GUE / _GRE.
enum class TunnelType : uint8_t { Ipip, Gue, Gre };
// IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM / _CSUM / _REMCSUM.
enum class TunnelChecksum : uint8_t { NoChecksum, Checksum, RemoteChecksum };

std::string_view toString(ForwardingMethod method);  // "Masq", "Route", "Tunnel", "Local", "Bypass"
std::string_view toString(TunnelType type);          // "ipip", "gue", "gre"
std::string_view toString(TunnelChecksum checksum);  // "nocsum", "csum", "remcsum"

// What identifies a destination within its service. The address may be of
// the other family than the service (IPVS_DEST_ATTR_ADDR_FAMILY, tunnels).
struct DestinationKey {
  IpAddress address;
  uint16_t port = 0;  // 0 for DR/TUN destinations of port-less services

  auto operator<=>(const DestinationKey&) const = default;
};

std::string toString(const DestinationKey& key);  // "10.0.0.2:80", "[2001:db8::2]:80"

// The editable part of a destination (ip_vs_edit_dest changes all of it).
struct Destination {
  ForwardingMethod forwarding = ForwardingMethod::Nat;  // IPVS_DEST_ATTR_FWD_METHOD
  // IPVS_DEST_ATTR_TUN_TYPE / _TUN_PORT / _TUN_FLAGS; defaults unless Tunnel.
  TunnelType tunnelType = TunnelType::Ipip;
  TunnelChecksum tunnelChecksum = TunnelChecksum::NoChecksum;
  uint16_t tunnelPort = 0;      // GUE's UDP port
  uint32_t weight = 1;          // IPVS_DEST_ATTR_WEIGHT; 0: no new connections
  uint32_t upperThreshold = 0;  // IPVS_DEST_ATTR_U_THRESH; 0: no limit
  uint32_t lowerThreshold = 0;  // IPVS_DEST_ATTR_L_THRESH

  bool operator==(const Destination&) const = default;
};

struct ServiceEntry {
  Service service;
  std::map<DestinationKey, Destination> destinations;

  bool operator==(const ServiceEntry&) const = default;
};

// The whole table, ordered by key so iteration, text and op order are stable.
struct IpvsState {
  std::map<ServiceKey, ServiceEntry> services;

  bool operator==(const IpvsState&) const = default;
};

// One change to the table, as the kernel accepts them (IPVS_CMD_NEW_SERVICE,
// SET_SERVICE, DEL_SERVICE, NEW_DEST, SET_DEST, DEL_DEST). Deleting a service
// deletes its destinations with it.
struct AddService {
  ServiceKey key;
  Service service;
  bool operator==(const AddService&) const = default;
};
struct EditService {
  ServiceKey key;
  Service service;
  bool operator==(const EditService&) const = default;
};
struct DeleteService {
  ServiceKey key;
  bool operator==(const DeleteService&) const = default;
};
struct AddDestination {
  ServiceKey service;
  DestinationKey key;
  Destination destination;
  bool operator==(const AddDestination&) const = default;
};
struct EditDestination {
  ServiceKey service;
  DestinationKey key;
  Destination destination;
  bool operator==(const EditDestination&) const = default;
};
struct DeleteDestination {
  ServiceKey service;
  DestinationKey key;
  bool operator==(const DeleteDestination&) const = default;
};

using Op = std::variant<AddService, EditService, DeleteService, AddDestination, EditDestination,
                        DeleteDestination>;

// The service an op is about.
const ServiceKey& serviceOf(const Op& op);

// Text forms for tests and logs.
//
// toString(Service): "wlc", "sh flag-1,flag-2 persistent 300 mask 24 pe sip ops hashed".
std::string toString(const Service& service, int family);
// "Masq 1", "Tunnel 5 gue port 6080 csum uthreshold 100 lthreshold 10".
std::string toString(const Destination& destination);
// "add service TCP  10.0.0.1:80 wlc", "edit dest TCP  10.0.0.1:80 -> 10.0.0.2:80 Route 3".
std::string toString(const Op& op);
// The table in the shape of `ipvsadm -Ln` without its version line and
// counters: a header, then each service and its destinations in key order:
//
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port           Forward Weight
//   TCP  10.0.0.1:80 wlc persistent 300
//     -> 10.0.0.2:80                  Masq    1
std::string toText(const IpvsState& state);

}  // namespace vigil::ipvs
