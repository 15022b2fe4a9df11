#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigil::cli {

// Human output of vigilctl's query commands, from vigild's /status document
// (doc/monitoring.md). Pure, so every layout is unit-tested.

// Rows as columns padded to the widest cell, two spaces apart; the first
// row is the header. Trailing padding is trimmed.
std::string formatTable(const std::vector<std::vector<std::string>>& rows);

// `vigilctl status`: generation, health, one row per worker.
std::string formatStatus(const nlohmann::json& status);
// `vigilctl vrrp`: one row per VRRP instance, then sync groups.
std::string formatVrrp(const nlohmann::json& status);
// `vigilctl check`: one row per real server with its checkers' verdicts.
std::string formatCheck(const nlohmann::json& status);
// `vigilctl ipvs -Ln`: the check worker's view of the IPVS table in
// ipvsadm -Ln's layout; an error when no check worker reports one.
Result<std::string> formatIpvs(const nlohmann::json& status);

// What ipvsadm -L adds to the table listing.
enum class IpvsCounters : uint8_t {
  Stats,  // --stats: Conns InPkts OutPkts InBytes OutBytes since the service was added
  Rate,   // --rate: CPS InPPS OutPPS InBPS OutBPS, the kernel's estimates
};

// `vigilctl ipvs -Ln --stats|--rate [--exact]`: the counters the check
// worker last read (snapshot "dataplane"."stats") in ipvsadm's layout, with
// vigild's title line in place of ipvsadm's version line. Without --exact a
// number is rounded to K, M, G or T (thousands) as ipvsadm rounds it.
Result<std::string> formatIpvsCounters(const nlohmann::json& status, IpvsCounters which,
                                       bool exact);

// `vigilctl ipvs -Lnc`: vigild's GET /ipvs/connections answer in ipvsadm
// -Lnc's layout; an error naming the reason (ipvsConnectionsView) when the
// host has no IPVS connection table.
Result<std::string> formatIpvsConnections(const nlohmann::json& connections);

// vigild's GET /ipvs/connections answer as `-Lnc --json` prints it: as is
// when it has a table; otherwise {"available": false, "reason": "...",
// "connections": []}, with vigild's own reason when it gave one, so a script
// always gets the same shape.
nlohmann::json ipvsConnectionsView(const nlohmann::json& reply);

// What a command prints, and its exit status (doc/vigilctl.md).
struct CommandOutput {
  std::string out;  // stdout
  std::string err;  // stderr
  int exitCode = 0;
};

// `vigilctl ipvs -Lnc [--json]` from vigild's answer. No connection table
// exits 1 in both forms: the text form says why in one line on stderr, the
// JSON form still prints its document (available false) on stdout.
CommandOutput ipvsConnectionsOutput(const nlohmann::json& reply, bool asJson);

// The snapshot of the named worker in /status, or null when it has none.
const nlohmann::json* workerSnapshot(const nlohmann::json& status, const std::string& worker);

}  // namespace vigil::cli
