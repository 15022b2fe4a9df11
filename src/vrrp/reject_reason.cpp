#include "vrrp/reject_reason.h"

#include <array>

namespace vigil::vrrp {

namespace {

constexpr std::array<std::string_view, kRejectReasonCount> kNames = {
    "too_short",
    "bad_ip_header",
    "bad_ip_protocol",
    "bad_ah_header",
    "bad_ttl",
    "bad_version",
    "bad_type",
    "bad_interval",
    "address_count_mismatch",
    "bad_checksum",
    "bad_auth_type",
    "version_mismatch",
    "vrid_mismatch",
    "auth_mismatch",
    "interval_mismatch",
    "address_list_mismatch",
};

}  // namespace

std::string_view name(RejectReason reason) {
  auto index = static_cast<size_t>(reason);
  return index < kNames.size() ? kNames[index] : "unknown";
}

}  // namespace vigil::vrrp
