#pragma once

#include <string>
#include <vector>

#include "config/source.h"

namespace vigil::config {

// The preprocessor's output: words (quotes already removed, escapes already
// applied, parameters substituted), braces, and the end of each logical line.
struct Token {
  enum class Kind { Word, OpenBrace, CloseBrace, EndOfLine };

  Kind kind = Kind::Word;
  std::string text;  // empty for braces and EndOfLine
  SourcePos pos;
  bool quoted = false;  // the word was written (at least partly) in quotes
};

using TokenList = std::vector<Token>;

}  // namespace vigil::config
