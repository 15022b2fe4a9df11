#pragma once

#include "core/inet_checksum.h"

// The VRRP codecs' name for the one Internet checksum (core/inet_checksum.h),
// which the half-open TCP check shares.
namespace vigil::vrrp {

using InternetChecksum = vigil::InternetChecksum;

}  // namespace vigil::vrrp
