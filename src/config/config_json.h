#pragma once

#include <nlohmann/json.hpp>

#include "config/config.h"

// The normalised model as JSON (`vigild --dump-config`): every field with
// its default filled in, durations in seconds, addresses as text. Each part
// of the model provides its own function beside its parser.
namespace vigil::config {

nlohmann::json toJson(const GlobalDefs& global);  // parse_global.cpp's owner
nlohmann::json toJson(const VrrpModel& vrrp);     // parse_vrrp.cpp's owner
nlohmann::json toJson(const LvsModel& lvs);       // parse_lvs.cpp's owner
nlohmann::json toJson(const Config& config);      // config_json.cpp

}  // namespace vigil::config
