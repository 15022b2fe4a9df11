#include "vrrp/advert_check.h"

#include <algorithm>
#include <utility>

namespace vigil::vrrp {

namespace {

bool authMatches(const VrrpPacket& packet, const InstanceParams& params) {
  if (packet.authType != params.authType) return false;
  return packet.authType != AuthType::Pass || packet.authData == params.authData;
}

}  // namespace

ExpectedAddresses::ExpectedAddresses(std::vector<IpAddress> configured)
    : configured_(std::move(configured)), sorted_(configured_) {
  std::sort(sorted_.begin(), sorted_.end());
  scratch_.reserve(configured_.size());
}

bool ExpectedAddresses::matches(std::span<const IpAddress> received) {
  if (received.size() != configured_.size()) return false;
  if (std::equal(received.begin(), received.end(), configured_.begin())) return true;
  if (std::is_sorted(received.begin(), received.end())) {
    return std::equal(received.begin(), received.end(), sorted_.begin());
  }
  // Same size as configured_, so within the reserved capacity.
  scratch_.assign(received.begin(), received.end());
  std::sort(scratch_.begin(), scratch_.end());
  return scratch_ == sorted_;
}

std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        ExpectedAddresses& expected, bool skipAddressCheck) {
  if (packet.version != params.version) return RejectReason::VersionMismatch;
  if (packet.vrid != params.vrid) return RejectReason::VridMismatch;
  if (packet.version == 2) {
    if (!authMatches(packet, params)) return RejectReason::AuthMismatch;
    if (packet.advertInterval != params.advertInterval) return RejectReason::IntervalMismatch;
  }
  if (!skipAddressCheck && packet.priority != kPriorityOwner &&
      !expected.matches(packet.addresses)) {
    return RejectReason::AddressListMismatch;
  }
  return std::nullopt;
}

std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        bool skipAddressCheck) {
  ExpectedAddresses expected(params.addresses);
  return checkAdvert(packet, params, expected, skipAddressCheck);
}

}  // namespace vigil::vrrp
