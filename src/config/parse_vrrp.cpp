#include "config/parsers.h"

namespace vigil::config {

bool parseVrrpTopLevel(const Node&, Config&, ParseContext&) { return false; }
void validateVrrp(Config&, ParseContext&) {}

}  // namespace vigil::config

#include "config/config_json.h"
namespace vigil::config {
nlohmann::json toJson(const VrrpModel&) { return nlohmann::json::object(); }
}  // namespace vigil::config
