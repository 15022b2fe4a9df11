#include "vrrp/advert_check.h"

#include <algorithm>

namespace vigil::vrrp {

namespace {

bool sameAddressSet(std::vector<IpAddress> a, std::vector<IpAddress> b) {
  if (a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

bool authMatches(const VrrpPacket& packet, const InstanceParams& params) {
  if (packet.authType != params.authType) return false;
  return packet.authType != AuthType::Pass || packet.authData == params.authData;
}

}  // namespace

std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        bool skipAddressCheck) {
  if (packet.version != params.version) return RejectReason::VersionMismatch;
  if (packet.vrid != params.vrid) return RejectReason::VridMismatch;
  if (packet.version == 2) {
    if (!authMatches(packet, params)) return RejectReason::AuthMismatch;
    if (packet.advertInterval != params.advertInterval) return RejectReason::IntervalMismatch;
  }
  if (!skipAddressCheck && packet.priority != kPriorityOwner &&
      !sameAddressSet(packet.addresses, params.addresses)) {
    return RejectReason::AddressListMismatch;
  }
  return std::nullopt;
}

}  // namespace vigil::vrrp
