#pragma once

// Internal to the lexer: one run over a configuration file and everything it
// includes. Lexer (lexer.h) is the public face; a Preprocessor lives for one
// readFile/readText call, so parameters never leak from one run to the next.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/lexer.h"
#include "config/lexer_include.h"
#include "config/lexer_line.h"
#include "config/lexer_params.h"
#include "config/lexer_scan.h"
#include "config/source.h"
#include "config/token.h"
#include "config/token_source.h"
#include "core/result.h"

namespace vigil::config::lexer {

class Preprocessor {
 public:
  Preprocessor(SourceSet& sources, Diagnostics& diagnostics, const LexerOptions& options,
               TokenSink& sink);

  Result<void> readFile(const std::string& path);
  void readText(std::string_view name, std::string_view text);

 private:
  // One file on the include stack.
  struct FileFrame {
    const std::string* name = nullptr;  // as positions show it
    std::string dir;                    // `name`'s directory, base of relative includes
    std::string absDir;                 // the same made absolute: ${_PWD}
    std::string identity;               // canonical path, to detect include loops
    IncludeChecks checks;               // include_check level while reading this file
  };

  // --- files and includes (lexer_preprocessor.cpp)
  FileFrame makeFrame(const std::string& path, const IncludeChecks& checks);
  void readBuffer(FileFrame frame, std::string_view text);
  void readMultiLineDefinition(const LineView& first, FileLines& lines);
  // Handles `include*` and `include_check` lines; false when `line` is neither.
  bool handleDirective(const LineView& line);
  void include(const Token& keyword, const std::vector<Token>& args, const IncludeChecks& extra);
  void includeFile(const std::string& path, const SourcePos& from, const IncludeChecks& checks);

  // --- logical lines (lexer_expand.cpp)
  // Runs one logical line (comments already removed) through conditionals,
  // definitions, ~SEQ/~LST, substitution and finally the tokenizer. `depth`
  // counts the substitution and sequence levels above it.
  void processLine(const LineView& line, unsigned depth);
  bool conditionSelects(LineView& line) const;
  bool tryDefinition(const LineView& line);
  void expandLoop(const LineView& line, unsigned depth);
  bool substitute(const LineView& line, unsigned depth);
  // Substitutes until nothing changes (for ~SEQ specifications).
  std::string substituteFully(const LineView& line);
  SubstitutionInput substitutionInput();
  // Counts one unit of work against options_.maxTokens; false once exhausted.
  bool withinBudget(const LineView& line);

  SourceSet& sources_;
  Diagnostics& diagnostics_;
  const LexerOptions& options_;
  TokenSink& sink_;
  TokenList lineTokens_;  // one logical line's tokens on their way to sink_
  uint64_t tokensEmitted_ = 0;
  ParamTable params_;
  RandomSource random_;
  Predefined predefined_;
  std::vector<FileFrame> stack_;
  uint64_t linesExpanded_ = 0;
  bool stopped_ = false;  // the expansion budget ran out; read nothing more
  // A runaway expansion was reported for the current physical line; the
  // rest of its expansion is dropped so it is reported once.
  bool lineFailed_ = false;
};

// If `text` (left-trimmed) is `$NAME=...`, the length of NAME (else 0).
size_t definitionNameLength(std::string_view text);
// Whether a physical line, possibly behind `@ID`, starts a definition.
bool startsDefinition(std::string_view text);

}  // namespace vigil::config::lexer
