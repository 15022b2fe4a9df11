#pragma once
// Owned by the global_defs work: see parse_global.cpp.
namespace vigil::config {
struct GlobalDefs {};
}  // namespace vigil::config
