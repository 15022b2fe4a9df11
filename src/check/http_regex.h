#pragma once

#include <memory>
#include <string_view>

#include "config/model_lvs.h"
#include "core/result.h"

// A url { regex } compiled once with PCRE2 and matched against each response
// body. regex_options map onto the PCRE2 compile options of the same names;
// regex_min_offset is where matching starts, regex_max_offset the last
// offset a match may start at, and regex_stack START MAX sizes the JIT
// stack, as keepalived.conf(5) describes them.
namespace vigil::check {

enum class RegexVerdict : uint8_t { Match, NoMatch, Error };

class HttpRegexMatcher {
 public:
  // Fails with PCRE2's message and the offset in the pattern.
  static Result<std::shared_ptr<const HttpRegexMatcher>> compile(const config::HttpRegex& regex);

  ~HttpRegexMatcher();
  HttpRegexMatcher(const HttpRegexMatcher&) = delete;
  HttpRegexMatcher& operator=(const HttpRegexMatcher&) = delete;

  // Whether the pattern occurs in `body` (Error: PCRE2 gave up, e.g. a
  // match or stack limit).
  RegexVerdict search(std::string_view body) const;
  // Whether the body passes: a match for regex, no match for regex_no_match.
  bool passes(std::string_view body) const;

 private:
  struct Pcre;
  HttpRegexMatcher(const config::HttpRegex& regex, std::unique_ptr<Pcre> pcre);

  config::HttpRegex settings_;
  std::unique_ptr<Pcre> pcre_;
};

}  // namespace vigil::check
