#include "monitor/snapshot_split.h"

namespace vigil::monitor {
namespace {

constexpr std::string_view kKey = "\"real_servers\"";
constexpr std::string_view kDataplane = "\"dataplane\"";

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Index just past the string starting at text[at] (a '"'); npos if unended.
size_t endOfString(std::string_view text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Index just past the object starting at text[at] (a '{'); npos if unended.
size_t endOfObject(std::string_view text, size_t at) {
  size_t depth = 0;
  for (size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = endOfString(text, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t skipSpace(std::string_view text, size_t i) {
  while (i < text.size() && isSpace(text[i])) ++i;
  return i;
}

}  // namespace

std::optional<SplitSnapshot> splitRealServers(std::string_view text) {
  SplitSnapshot split;
  std::string& out = split.skeleton;
  size_t i = 0;
  size_t depth = 0;  // of objects and arrays, outside the cut-out parts
  while (i < text.size()) {
    if (text[i] != '"') {
      if (text[i] == '{' || text[i] == '[') ++depth;
      if ((text[i] == '}' || text[i] == ']') && depth > 0) --depth;
      out += text[i++];
      continue;
    }
    const size_t end = endOfString(text, i);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view name = text.substr(i, end - i);
    out.append(name);
    i = end;
    if (name == kDataplane && depth == 1 && split.dataplane.empty()) {
      size_t k = skipSpace(text, i);
      if (k >= text.size() || text[k] != ':') continue;
      k = skipSpace(text, k + 1);
      if (k >= text.size() || text[k] != '{') continue;
      const size_t close = endOfObject(text, k);
      if (close == std::string_view::npos) return std::nullopt;
      out.append(text.substr(i, k - i));
      out += "{\"#\":0}";
      split.dataplane = text.substr(k, close - k);
      i = close;
      continue;
    }
    if (name != kKey) continue;
    size_t k = skipSpace(text, i);
    if (k >= text.size() || text[k] != ':') continue;
    k = skipSpace(text, k + 1);
    if (k >= text.size() || text[k] != '[') continue;
    out.append(text.substr(i, k + 1 - i));
    ++depth;  // the '[' just copied
    i = k + 1;
    // The array's elements: objects are cut out, anything else is copied
    // (and left to the parser).
    while (i < text.size() && text[i] != ']') {
      if (text[i] != '{') {
        if (text[i] == '"') break;  // a string element: the outer loop copies it
        out += text[i++];
        continue;
      }
      const size_t close = endOfObject(text, i);
      if (close == std::string_view::npos) return std::nullopt;
      out += "{\"#\":";
      out += std::to_string(split.servers.size());
      out += '}';
      split.servers.push_back(text.substr(i, close - i));
      i = close;
    }
  }
  return split;
}

std::optional<std::string_view> cutServerText(const nlohmann::json& rs,
                                              const std::vector<std::string_view>& servers) {
  if (!rs.is_object() || rs.size() != 1) return std::nullopt;
  auto index = rs.find("#");
  if (index == rs.end() || !index->is_number_unsigned()) return std::nullopt;
  const auto i = index->get<size_t>();
  if (i >= servers.size()) return std::nullopt;
  return servers[i];
}

}  // namespace vigil::monitor
