#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/lexer.h"
#include "config/route_names.h"

namespace vigil::config {

struct LoadOptions {
  LexerOptions lexer;
  bool strict = false;  // --strict-config: unknown keywords are errors
  // iproute2's table and realm names (`table NAME`, `realms NAME`), read
  // when a name is first met; empty: this host's files (systemRouteNames).
  std::function<RouteNames()> routeNames;
};

struct LoadResult {
  // Null when the file could not be read at all (`vigild -t` exit 3) or when
  // diagnostics holds errors (exit 4).
  std::shared_ptr<const Config> config;
  Diagnostics diagnostics;
  // Owns the file names the diagnostics' positions point at.
  std::shared_ptr<SourceSet> sources;
  bool unreadable = false;
};

// Reads, parses and validates a configuration file and everything it
// includes. Never throws on bad input.
LoadResult loadConfig(const std::string& path, const LoadOptions& options);
// The same for text in memory (tests, fuzzing).
LoadResult loadConfigText(std::string_view name, std::string_view text, const LoadOptions& options);

// Why `result` has no configuration: its errors as `vigild -t` prints them
// ("FILE:LINE:COL: error: text"), one per line without a trailing newline,
// at most `maxErrors` of them then "(N more errors)". Empty when it has none.
std::string errorSummary(const LoadResult& result, size_t maxErrors = 10);

}  // namespace vigil::config
