#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/model_lvs.h"
#include "ipvs/model.h"

// From the configuration's virtual servers to IPVS model values. The check
// worker builds the desired IpvsState from these and real-server health.
namespace vigil::ipvs {

// A virtual_server_group range (or prefix) expands to at most this many
// addresses; the rest of a larger range is not programmed. keepalived's own
// range syntax (last octet or last IPv6 group) stays within it.
inline constexpr size_t kMaxGroupRangeAddresses = 65536;

Protocol protocolFrom(config::LvsProtocol protocol);

// The services a virtual_server stands for: one for an address or fwmark
// service; for a group service, one per address of every range entry (with
// the entry's port and the service's protocol) and one per fwmark entry (its
// own family, else the service's). In the group's entry order, duplicates
// removed.
std::vector<ServiceKey> serviceKeys(const config::VirtualServer& vs, const config::LvsModel& lvs);

// Scheduler, flags, persistence and engine of a virtual_server.
Service serviceFrom(const config::VirtualServer& vs);

DestinationKey destinationKey(const config::RealServer& rs);
DestinationKey destinationKey(const config::SorryServer& sorry);

// A real server at the weight the checkers decided (its configured weight
// adjusted by checkers, or 0 for inhibit_on_failure).
Destination destinationFrom(const config::RealServer& rs, uint32_t effectiveWeight);
// The sorry server while quorum is lost; weight 0 while inhibited.
Destination destinationFrom(const config::SorryServer& sorry, uint32_t weight = 1);

// The canonical destination forwarding of a config forwarding method.
Destination withForwarding(Destination destination, const config::Forwarding& forwarding);

}  // namespace vigil::ipvs
