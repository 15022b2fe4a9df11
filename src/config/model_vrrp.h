#pragma once
// Owned by the VRRP configuration work: see parse_vrrp.cpp.
namespace vigil::config {
struct VrrpModel {};
}  // namespace vigil::config
