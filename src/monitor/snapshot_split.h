#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::monitor {

// A worker snapshot with the objects of every "real_servers" array cut out:
// `skeleton` is the snapshot with the i-th such object replaced by
// {"#": i}, `servers[i]` is that object's text (a view into the snapshot).
// At 10,000 real servers they are nearly all of a check snapshot, and most
// are unchanged from the last one: a renderer parses the small skeleton and
// only the server texts it has not seen before (snapshot_renderer.h).
//
// The top-level "dataplane" object (the IPVS table and its counters, as
// large as the real servers at 10,000 of them) is cut out too: `dataplane`
// is its text and the skeleton holds {"#": 0} in its place; empty when
// there is none.
struct SplitSnapshot {
  std::string skeleton;
  std::vector<std::string_view> servers;
  std::string_view dataplane;
};

// Scans JSON text without building it: strings (with escapes) are skipped
// whole, so a "real_servers" inside a string is not a key. Nothing when the
// text ends inside a string or object; a malformed one is for the JSON
// parser to refuse afterwards.
std::optional<SplitSnapshot> splitRealServers(std::string_view snapshot);

// For a real server object of a parsed skeleton: the text cut out for it
// when it is a placeholder {"#": i} with i < servers.size(); nothing when it
// is a real server left in the skeleton (or not a placeholder that fits).
std::optional<std::string_view> cutServerText(const nlohmann::json& rs,
                                              const std::vector<std::string_view>& servers);

}  // namespace vigil::monitor
