#pragma once

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
struct SplitSnapshot {
  std::string skeleton;
  std::vector<std::string_view> servers;
};

// Scans JSON text without building it: strings (with escapes) are skipped
// whole, so a "real_servers" inside a string is not a key. Nothing when the
// text ends inside a string or object; a malformed one is for the JSON
// parser to refuse afterwards.
std::optional<SplitSnapshot> splitRealServers(std::string_view snapshot);

}  // namespace vigil::monitor
