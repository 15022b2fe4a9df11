#pragma once

#include "config/config.h"
#include "config/node.h"
#include "config/parse_context.h"

// The entry points the top-level reader (loader.cpp) dispatches to. Each
// part of the model owns its block parsers and its validation.
namespace vigil::config {

// global_defs (parse_global.cpp).
void parseGlobalDefs(const Node& node, Config& config, ParseContext& ctx);

// VRRP blocks (parse_vrrp.cpp): vrrp_script, vrrp_sync_group, vrrp_instance,
// track_file, vrrp_track_process, static_ipaddress/routes/rules, ...
// Returns false when `node` is not a VRRP top-level keyword.
bool parseVrrpTopLevel(const Node& node, Config& config, ParseContext& ctx);
// Cross-object checks and defaults that need the whole file (validate_vrrp.cpp).
void validateVrrp(Config& config, ParseContext& ctx);

// LVS blocks (parse_lvs.cpp): virtual_server_group, virtual_server.
bool parseLvsTopLevel(const Node& node, Config& config, ParseContext& ctx);
void validateLvs(Config& config, ParseContext& ctx);

}  // namespace vigil::config
