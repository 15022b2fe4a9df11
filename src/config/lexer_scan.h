#pragma once

// Internal to the lexer: the first look at each physical line of a file.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "config/lexer_line.h"

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

// The physical lines of one file that have content: comments removed,
// blanks trimmed, and lines that cannot be used (too long, bytes that have
// no place in a text file) reported and skipped. Past kMaxBadLines such
// lines the file is taken for binary and the rest of it is skipped.
class FileLines {
 public:
  static constexpr unsigned kMaxBadLines = 10;

  FileLines(const std::string* name, std::string_view text, size_t maxLineBytes,
            Diagnostics& diagnostics);

  // The next line with content; false at the end of the file.
  bool next(LineView& line);

 private:
  // Splits off the next physical line; false at the end of the text.
  bool nextPhysical(std::string_view& raw);
  // Reports the line if it cannot be used; else sets where its comment starts.
  bool usable(const LineView& raw, size_t& contentEnd);

  const std::string* name_;
  std::string_view text_;
  size_t maxLineBytes_;
  Diagnostics& diagnostics_;
  size_t pos_ = 0;
  uint32_t line_ = 0;
  uint32_t firstCol_ = 1;  // 4 on a first line that follows a UTF-8 byte order mark
  unsigned badLines_ = 0;
};

}  // namespace vigil::config::lexer
