#pragma once

// Internal to the lexer: the first look at each physical line of a file.

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::config::lexer {

struct PhysicalScan {
  // Where a `#` or `!` comment starts outside quotes, or the line's length.
  size_t contentEnd = 0;
  // The first byte before contentEnd that has no place in a text file (NUL,
  // a control character other than blanks, invalid UTF-8), or npos.
  size_t badAt = std::string_view::npos;
  std::string badWhat;  // what that byte is, for the diagnostic
};

// One pass each for the comment and the byte check; comments are skipped by
// the byte check so a Latin-1 comment stays harmless.
PhysicalScan scanPhysicalLine(std::string_view line);

}  // namespace vigil::config::lexer
