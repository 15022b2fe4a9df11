#include "config/parsers.h"

namespace vigil::config {

void parseGlobalDefs(const Node& node, Config&, ParseContext& ctx) {
  ctx.unsupportedKeyword(node, "not yet implemented");
}

}  // namespace vigil::config

#include "config/config_json.h"
namespace vigil::config {
nlohmann::json toJson(const GlobalDefs&) { return nlohmann::json::object(); }
}  // namespace vigil::config
