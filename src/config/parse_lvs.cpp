#include "config/parsers.h"

namespace vigil::config {

bool parseLvsTopLevel(const Node&, Config&, ParseContext&) { return false; }
void validateLvs(Config&, ParseContext&) {}

}  // namespace vigil::config

#include "config/config_json.h"
namespace vigil::config {
nlohmann::json toJson(const LvsModel&) { return nlohmann::json::object(); }
}  // namespace vigil::config
