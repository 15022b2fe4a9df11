#pragma once

// Internal to the lexer: include FILE (with glob(3) wildcards and csh brace
// expansion), its checked variants and include_check.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::config::lexer {

// keepalived's include_check options (keepalived.conf(5), global_defs).
struct IncludeChecks {
  bool readable = false;       // every match must be a readable file
  bool match = false;          // a pattern without wildcards must match something
  bool wildcardMatch = false;  // a pattern with wildcards must match something too
  bool braceMatch = false;     // every brace alternative must match something

  static IncludeChecks all() { return {true, true, true, true}; }
  IncludeChecks operator|(const IncludeChecks& o) const {
    return {readable || o.readable, match || o.match, wildcardMatch || o.wildcardMatch,
            braceMatch || o.braceMatch};
  }
};

// The checks an include keyword adds: none for `include`, readable for
// `includer`, match for `includem`, wildcard_match for `includew`,
// brace_match for `includeb`, all for `includea`. nullopt for other words.
std::optional<IncludeChecks> includeKeyword(std::string_view word);

// Applies the options of an `include_check` line ([+|-]readable, match,
// wildcard_match, brace_match; none means all) to `checks`. Returns what is
// wrong, or an empty string.
std::string applyIncludeCheck(const std::vector<std::string>& options, IncludeChecks& checks);

struct IncludeProblem {
  bool isError = false;
  std::string message;
};

struct IncludeMatches {
  std::vector<std::string> files;  // in order: per brace alternative, sorted
  std::vector<IncludeProblem> problems;
};

// Resolves an include pattern against `baseDir` (the including file's
// directory; empty means the current directory).
IncludeMatches findIncludeFiles(std::string_view pattern, std::string_view baseDir,
                                const IncludeChecks& checks);

// csh-style brace expansion, nested. Past `limit` alternatives it stops and
// sets `truncated`.
std::vector<std::string> expandBraces(std::string_view pattern, size_t limit, bool& truncated);

// Reads a whole regular file; FIFOs, devices and directories are refused so
// an include can never block or read forever.
Result<std::string> readRegularFile(const std::string& path);

}  // namespace vigil::config::lexer
