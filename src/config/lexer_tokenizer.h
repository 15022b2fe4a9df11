#pragma once

// Internal to the lexer: the last stage, which turns a fully expanded line
// into tokens.

#include <cstddef>

#include "config/diagnostics.h"
#include "config/lexer_line.h"
#include "config/token.h"

namespace vigil::config::lexer {

// Appends the words and braces of `line` to `out`, followed by an EndOfLine
// when there was at least one. Quotes (" or ', the other one literal inside)
// are removed and escapes inside them applied; `{` and `}` outside quotes are
// tokens of their own even when glued to a word, unless `braces` is
// Braces::AreText (include patterns, where they are brace expansions).
// Returns how many tokens were appended.
enum class Braces { AreTokens, AreText };
size_t tokenizeLine(const LineView& line, TokenList& out, Diagnostics& diagnostics,
                    Braces braces = Braces::AreTokens);

// Applies the escape whose backslash is at text[i]; appends the byte(s) it
// stands for to `out` and returns the index just past it.
size_t applyEscape(std::string_view text, size_t i, std::string& out);

}  // namespace vigil::config::lexer
