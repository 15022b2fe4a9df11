#pragma once

#include <optional>

#include "vrrp/instance_params.h"
#include "vrrp/packet.h"
#include "vrrp/reject_reason.h"

namespace vigil::vrrp {

// The protocol checks of RFC 5798 §7.1 / RFC 3768 §7.1 for an advert that
// passed decode(): version, VRID, v2 authentication (type and PASS
// password; the AH ICV is verifyAh()'s, over the whole IP packet), v2
// interval, and the address list (as a set; from the address owner a
// mismatch is accepted, as the RFC says). `skipAddressCheck` is keepalived's
// skip_check_adv_addr when the advert comes from the master we already know.
std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        bool skipAddressCheck = false);

}  // namespace vigil::vrrp
