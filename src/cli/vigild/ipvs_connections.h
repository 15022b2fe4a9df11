#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"

namespace vigil::cli {

// Where the kernel lists IPVS connections. Its genetlink family has no
// command for them; ipvsadm -Lc reads this file too.
inline constexpr const char* kIpvsConnectionTable = "/proc/net/ip_vs_conn";

// One row of /proc/net/ip_vs_conn.
struct IpvsConnection {
  std::string protocol;  // "TCP", "UDP", "SCTP", ...
  IpAddress source;
  uint16_t sourcePort = 0;
  IpAddress virtualAddress;
  uint16_t virtualPort = 0;
  IpAddress destination;
  uint16_t destinationPort = 0;
  std::string state;  // "ESTABLISHED", "TIME_WAIT", ...
  uint64_t expiresSeconds = 0;
  std::string peName;  // persistence engine, when the kernel prints one
  std::string peData;
};

// The rows of the file's text, in its order. IPv4 addresses and every port
// are hex (an IPv4 address as the %08X of its host-order value), IPv6
// addresses are written out in full; the header and any row that does not
// parse are skipped.
std::vector<IpvsConnection> parseIpvsConnections(std::string_view text);

// GET /ipvs/connections on the control socket: {"available": false} when
// the table file is absent (no ip_vs module), else {"available": true,
// "connections": [{"protocol", "source_address", "source_port",
// "virtual_address", ..., "state", "expires_seconds"}]}.
nlohmann::json ipvsConnectionsJson(const std::vector<IpvsConnection>& connections);
nlohmann::json readIpvsConnections(const std::string& path = kIpvsConnectionTable);

}  // namespace vigil::cli
