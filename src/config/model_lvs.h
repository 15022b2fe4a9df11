#pragma once
// Owned by the LVS configuration work: see parse_lvs.cpp.
namespace vigil::config {
struct LvsModel {};
}  // namespace vigil::config
