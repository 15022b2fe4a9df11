#include "cli/vigilctl/json_indent.h"

#include <nlohmann/json.hpp>

namespace vigil::cli {
namespace {

constexpr size_t kIndent = 2;

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

void newline(std::string& out, size_t depth) {
  out += '\n';
  out.append(depth * kIndent, ' ');
}

}  // namespace

std::optional<std::string> indentJson(std::string_view text) {
  // Checked first (a SAX pass, no tree), so the layout below may trust the
  // token structure.
  if (!nlohmann::json::accept(text)) return std::nullopt;
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  size_t depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (isSpace(c)) continue;
    if (c == '"') {
      size_t end = i + 1;
      while (text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      out.append(text.substr(i, end + 1 - i));
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      size_t next = i + 1;
      while (isSpace(text[next])) ++next;
      if (text[next] == (c == '{' ? '}' : ']')) {
        out += c;
        out += text[next];
        i = next;
        continue;
      }
      out += c;
      newline(out, ++depth);
      continue;
    }
    if (c == '}' || c == ']') {
      newline(out, --depth);
      out += c;
      continue;
    }
    if (c == ',') {
      out += ',';
      newline(out, depth);
      continue;
    }
    if (c == ':') {
      out += ": ";
      continue;
    }
    out += c;  // a number's or literal's character
  }
  return out;
}

}  // namespace vigil::cli
