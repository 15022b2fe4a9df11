#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "config/source.h"
#include "config/token.h"
#include "config/token_source.h"
#include "core/result.h"

namespace vigil::config {

struct LexerOptions {
  // Selects `@ID` / `@^ID` conditional lines; vigild fills in the short
  // hostname when --config-id is not given.
  std::string configId;
  // Limits that keep hostile or broken input from exhausting memory/time.
  size_t maxLineBytes = 1024 * 1024;
  unsigned maxIncludeDepth = 32;
  size_t maxTokens = 50'000'000;
  // Seed for ${_RANDOM}, so a configuration reads the same way twice.
  uint64_t randomSeed = 0;
};

// keepalived's configuration language below the keyword level: comments,
// quoting and escapes, include (with glob and brace expansion, relative to
// the including file), conditional lines, $parameters (multi-line too),
// ${_PWD}-style predefined names, ~SEQ / ~SEQx / ~LST line expansion. The
// result is a flat token list in which every token knows its file:line:col.
class Lexer {
 public:
  Lexer(SourceSet& sources, Diagnostics& diagnostics, LexerOptions options);
  ~Lexer();

  // Reads `path` and everything it includes, pushing tokens into `sink` as
  // they are produced (nothing holds the whole file's tokens). Fails only
  // when `path` itself cannot be read; every other problem is reported to
  // the Diagnostics.
  Result<void> streamFile(const std::string& path, TokenSink& sink);
  void streamText(std::string_view name, std::string_view text, TokenSink& sink);

  // The same, collected into a list (tests, small inputs).
  Result<TokenList> readFile(const std::string& path);

  // The same for text held in memory (tests, fuzzing). Includes are resolved
  // relative to the directory part of `name`.
  TokenList readText(std::string_view name, std::string_view text);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace vigil::config
