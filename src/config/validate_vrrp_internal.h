#pragma once

#include <string>

#include "config/config.h"
#include "config/parse_context.h"

// The steps of validateVrrp (validate_vrrp.cpp), one per file-sized concern.
namespace vigil::config::vrrp {

// Per instance (validate_vrrp_instance.cpp): required keywords, global
// defaults, keepalived's implied values, version-dependent ranges,
// authentication, unicast, preemption, and vrrp_strict's rules.
void resolveInstance(VrrpInstance& inst, const GlobalDefs& global, ParseContext& ctx);

// Across objects (validate_vrrp.cpp).
void checkDuplicateVrids(const VrrpModel& model, ParseContext& ctx);
void checkSyncGroups(VrrpModel& model, ParseContext& ctx);
void checkTracking(VrrpModel& model, ParseContext& ctx);
void checkTrackGroups(const VrrpModel& model, ParseContext& ctx);
void checkLvsSyncDaemon(Config& config, ParseContext& ctx);

// `pos`, or `fallback` when the value was not written (a default).
inline const SourcePos& where(const SourcePos& pos, const SourcePos& fallback) {
  return pos.file != nullptr ? pos : fallback;
}

// "1", "0.5", "40.95": seconds as an operator would write them.
std::string formatSeconds(Duration d);

}  // namespace vigil::config::vrrp
