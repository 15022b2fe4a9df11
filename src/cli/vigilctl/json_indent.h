#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::cli {

// `text` (one JSON value) laid out as nlohmann::json::dump(2) lays it out:
// two spaces a level, "key": value, empty objects and arrays as {} and [].
// Unlike a parse and dump, it builds no tree: keys keep the order they were
// sent in, and strings and numbers their text. vigilctl status --json at
// 50,000 real servers spent its 24 s parsing vigild's 21 MB into a tree
// and dumping it. Nothing when `text` is not JSON.
std::optional<std::string> indentJson(std::string_view text);

}  // namespace vigil::cli
