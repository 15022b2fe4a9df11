#include "config/config_json.h"

namespace vigil::config {

nlohmann::json toJson(const Config& config) {
  nlohmann::json out;
  out["file"] = config.path;
  out["global_defs"] = toJson(config.global);
  out["vrrp"] = toJson(config.vrrp);
  out["lvs"] = toJson(config.lvs);
  return out;
}

}  // namespace vigil::config
