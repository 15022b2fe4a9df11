#pragma once

// Internal to the lexer: the view of one logical line that every stage
// (conditionals, definitions, sequences, substitution, tokenizing) works on.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/source.h"

namespace vigil::config::lexer {

inline bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
inline bool isIdentStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
inline bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

// Length of the parameter name at the start of `s` (0 when there is none).
inline size_t identLength(std::string_view s) {
  if (s.empty() || !isIdentStart(s[0])) {
    return 0;
  }
  size_t n = 1;
  while (n < s.size() && isIdentChar(s[n])) {
    ++n;
  }
  return n;
}

// A logical line and where each of its bytes came from. Text straight from a
// file maps byte i to column firstCol + i. Text rewritten by parameter
// substitution carries an explicit column per byte plus one for the end
// (cols[text.size()]), so tokens made from a substituted value point at the
// `$` that referenced it.
struct LineView {
  std::string_view text;
  const uint32_t* cols = nullptr;
  uint32_t firstCol = 1;
  uint32_t line = 0;
  const std::string* file = nullptr;

  uint32_t colAt(size_t i) const {
    return cols != nullptr ? cols[i] : firstCol + static_cast<uint32_t>(i);
  }
  SourcePos posAt(size_t i) const { return SourcePos{file, line, colAt(i)}; }

  LineView sub(size_t from, size_t len = std::string_view::npos) const {
    LineView v = *this;
    v.text = text.substr(from, len);
    if (cols != nullptr) {
      v.cols = cols + from;
    } else {
      v.firstCol = firstCol + static_cast<uint32_t>(from);
    }
    return v;
  }

  LineView trimmed() const {
    size_t b = 0;
    size_t e = text.size();
    while (b < e && isBlank(text[b])) {
      ++b;
    }
    while (e > b && isBlank(text[e - 1])) {
      --e;
    }
    return sub(b, e - b);
  }

  LineView trimmedLeft() const {
    size_t b = 0;
    while (b < text.size() && isBlank(text[b])) {
      ++b;
    }
    return sub(b);
  }
};

// Storage for a rewritten line; `cols` always has text.size() + 1 entries.
struct OwnedLine {
  std::string text;
  std::vector<uint32_t> cols;

  void clear() {
    text.clear();
    cols.clear();
  }
  // Appends src[from, from+len) keeping each byte's column.
  void append(const LineView& src, size_t from, size_t len) {
    text.append(src.text.data() + from, len);
    for (size_t i = 0; i < len; ++i) {
      cols.push_back(src.colAt(from + i));
    }
  }
  // Appends text that all comes from the single column `col`.
  void appendAt(std::string_view s, uint32_t col) {
    text.append(s);
    cols.insert(cols.end(), s.size(), col);
  }
  LineView view(const LineView& origin, uint32_t endCol) {
    cols.push_back(endCol);
    return LineView{text, cols.data(), 1, origin.line, origin.file};
  }
};

}  // namespace vigil::config::lexer
