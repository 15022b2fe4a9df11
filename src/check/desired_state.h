#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "check/service_state.h"
#include "config/model_lvs.h"
#include "ipvs/model.h"

// From health to the table the dataplane should hold. Pure.
namespace vigil::check {

// The IPVS table for every virtual server of `lvs`, `health[i]` being the
// state of lvs.virtualServers[i]:
// - every service exists, whatever its health (keepalived creates them all);
// - an up real server is there at its effective weight; a down one is
//   absent, or at weight 0 with inhibit_on_failure;
// - while the quorum is lost and a sorry_server is configured, the sorry
//   server is there at weight 1 and every real server is treated as down
//   (absent, or weight 0 with inhibit_on_failure); while the quorum holds
//   the sorry server is absent, or at weight 0 with sorry_server_inhibit.
// A virtual_server_group service is programmed for each address and fwmark
// of its group with the same destinations.
ipvs::IpvsState desiredState(const config::LvsModel& lvs, const std::vector<ServiceState>& health);

// The destinations of one virtual server (shared by all its service keys).
ipvs::ServiceEntry desiredEntry(const config::VirtualServer& vs, const ServiceState& health);

// Real server `rs` of `vs` in that entry; unset: absent.
std::optional<ipvs::Destination> desiredDestination(const config::VirtualServer& vs,
                                                    const ServiceState& health, size_t rs);

}  // namespace vigil::check
