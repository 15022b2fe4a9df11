#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

// Loading configuration text the way `vigild -t` does, for the global_defs
// and VRRP tests. Findings are compared as `vigild -t` prints them.
namespace vigil::config::testing {

// The rt_tables and rt_realms names the tests' configurations use, instead
// of the host's files.
inline RouteNames testRouteNames() {
  RouteNames names;
  names.tables.addFile("1000 vips\n1001 small\n");
  names.tables.searched = "rt_tables";
  names.realms.addFile("12 edge\n13 core\n");
  names.realms.searched = "rt_realms";
  return names;
}

inline LoadResult load(std::string_view text, bool strict = false) {
  LoadOptions options;
  options.strict = strict;
  options.routeNames = testRouteNames;
  return loadConfigText("t.conf", text, options);
}

inline std::vector<std::string> findings(const LoadResult& result, Severity severity) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics.all()) {
    if (d.severity == severity) {
      out.push_back(d.format());
    }
  }
  return out;
}

inline std::vector<std::string> errors(const LoadResult& result) {
  return findings(result, Severity::Error);
}

inline std::vector<std::string> warnings(const LoadResult& result) {
  return findings(result, Severity::Warning);
}

// A valid instance body to build on: the lines every test needs.
inline std::string instance(std::string_view name, std::string_view extra,
                            std::string_view vrid = "51") {
  return "vrrp_instance " + std::string(name) + " {\n  interface eth0\n  virtual_router_id " +
         std::string(vrid) + "\n" + std::string(extra) +
         "  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n";
}

}  // namespace vigil::config::testing
