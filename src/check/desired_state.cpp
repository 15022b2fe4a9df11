#include "check/desired_state.h"

#include "ipvs/expand.h"

namespace vigil::check {

std::optional<ipvs::Destination> desiredDestination(const config::VirtualServer& vs,
                                                    const ServiceState& health, size_t i) {
  const bool sorryActive = vs.sorryServer && !health.quorumUp();
  const config::RealServer& rs = vs.realServers[i];
  const RealServerState& state = health.realServers().at(i);
  if (state.up() && !sorryActive) {
    return ipvs::destinationFrom(rs, state.weight());
  }
  if (rs.inhibitOnFailure) {
    return ipvs::destinationFrom(rs, 0);
  }
  return std::nullopt;
}

ipvs::ServiceEntry desiredEntry(const config::VirtualServer& vs, const ServiceState& health) {
  ipvs::ServiceEntry entry;
  entry.service = ipvs::serviceFrom(vs);
  const bool sorryActive = vs.sorryServer && !health.quorumUp();
  for (size_t i = 0; i < vs.realServers.size(); ++i) {
    if (auto destination = desiredDestination(vs, health, i)) {
      entry.destinations[ipvs::destinationKey(vs.realServers[i])] = *destination;
    }
  }
  if (vs.sorryServer && (sorryActive || vs.sorryServer->inhibit)) {
    entry.destinations[ipvs::destinationKey(*vs.sorryServer)] =
        ipvs::destinationFrom(*vs.sorryServer, sorryActive ? 1 : 0);
  }
  return entry;
}

ipvs::IpvsState desiredState(const config::LvsModel& lvs, const std::vector<ServiceState>& health) {
  ipvs::IpvsState state;
  for (size_t i = 0; i < lvs.virtualServers.size() && i < health.size(); ++i) {
    const config::VirtualServer& vs = lvs.virtualServers[i];
    ipvs::ServiceEntry entry = desiredEntry(vs, health[i]);
    for (const ipvs::ServiceKey& key : ipvs::serviceKeys(vs, lvs)) {
      auto [it, inserted] = state.services.try_emplace(key, entry);
      if (!inserted) {
        // Two virtual servers naming one service: the destinations merge,
        // the first one's scheduler and persistence win.
        it->second.destinations.insert(entry.destinations.begin(), entry.destinations.end());
      }
    }
  }
  return state;
}

}  // namespace vigil::check
