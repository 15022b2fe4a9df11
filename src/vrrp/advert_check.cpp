#include "vrrp/advert_check.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace vigil::vrrp {

namespace {

bool authMatches(const AdvertFields& packet, const InstanceParams& params) {
  if (packet.authType != params.authType) return false;
  return packet.authType != AuthType::Pass || packet.authData == params.authData;
}

std::vector<uint8_t> wireBytes(const std::vector<IpAddress>& addresses) {
  std::vector<uint8_t> bytes;
  for (const IpAddress& a : addresses) bytes.insert(bytes.end(), a.bytes(), a.bytes() + a.size());
  return bytes;
}

// The rules once, for a packet or an advert read in place.
template <typename Advert>
std::optional<RejectReason> checkRules(const Advert& packet, const InstanceParams& params,
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

}  // namespace

ExpectedAddresses::ExpectedAddresses(std::vector<IpAddress> configured)
    : configured_(std::move(configured)), sorted_(configured_) {
  std::sort(sorted_.begin(), sorted_.end());
  scratch_.reserve(configured_.size());
  if (!configured_.empty() &&
      std::all_of(configured_.begin(), configured_.end(),
                  [&](const IpAddress& a) { return a.family() == configured_[0].family(); })) {
    family_ = configured_[0].family();
    configuredBytes_ = wireBytes(configured_);
    sortedBytes_ = wireBytes(sorted_);
  }
}

bool ExpectedAddresses::matches(const AdvertAddresses& received) {
  if (received.size() != configured_.size()) return false;
  if (configured_.empty()) return true;
  // A list of the other family (or a mixed configuration) never matches,
  // as with IpAddress comparison.
  if (received.family() != family_) return false;
  const std::span<const uint8_t> bytes = received.bytes();
  if (std::equal(bytes.begin(), bytes.end(), configuredBytes_.begin())) return true;
  // IpAddress orders addresses of one family by their bytes: sorted
  // wire bytes are a sorted list.
  const size_t width = received.width();
  bool sorted = true;
  for (size_t at = width; at < bytes.size() && sorted; at += width) {
    sorted = std::memcmp(bytes.data() + at - width, bytes.data() + at, width) <= 0;
  }
  if (sorted) return std::equal(bytes.begin(), bytes.end(), sortedBytes_.begin());
  // Same size as configured_, so within the reserved capacity.
  scratch_.clear();
  for (size_t i = 0; i < received.size(); ++i) scratch_.push_back(received[i]);
  std::sort(scratch_.begin(), scratch_.end());
  return scratch_ == sorted_;
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
  return checkRules(packet, params, expected, skipAddressCheck);
}

std::optional<RejectReason> checkAdvert(const AdvertView& advert, const InstanceParams& params,
                                        ExpectedAddresses& expected, bool skipAddressCheck) {
  return checkRules(advert, params, expected, skipAddressCheck);
}

std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        bool skipAddressCheck) {
  ExpectedAddresses expected(params.addresses);
  return checkAdvert(packet, params, expected, skipAddressCheck);
}

}  // namespace vigil::vrrp
