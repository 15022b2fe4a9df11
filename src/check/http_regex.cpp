#include "check/http_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <string>

namespace vigil::check {

namespace {

// PCRE2 compile option per config::RegexOption, in enum order.
constexpr std::array<uint32_t, config::kRegexOptionCount> kPcreOptions = {
    PCRE2_ALLOW_EMPTY_CLASS, PCRE2_ALT_BSUX,
    PCRE2_AUTO_CALLOUT,      PCRE2_CASELESS,
    PCRE2_DOLLAR_ENDONLY,    PCRE2_DOTALL,
    PCRE2_DUPNAMES,          PCRE2_EXTENDED,
    PCRE2_FIRSTLINE,         PCRE2_MATCH_UNSET_BACKREF,
    PCRE2_MULTILINE,         PCRE2_NEVER_UCP,
    PCRE2_NEVER_UTF,         PCRE2_NO_AUTO_CAPTURE,
    PCRE2_NO_AUTO_POSSESS,   PCRE2_NO_DOTSTAR_ANCHOR,
    PCRE2_NO_START_OPTIMIZE, PCRE2_UCP,
    PCRE2_UNGREEDY,          PCRE2_UTF,
    PCRE2_NEVER_BACKSLASH_C, PCRE2_ALT_CIRCUMFLEX,
    PCRE2_ALT_VERBNAMES,     PCRE2_USE_OFFSET_LIMIT,
};

uint32_t compileOptions(const config::HttpRegex& regex) {
  uint32_t options = 0;
  for (size_t i = 0; i < kPcreOptions.size(); ++i) {
    if (regex.has(static_cast<config::RegexOption>(i))) {
      options |= kPcreOptions[i];
    }
  }
  // A match may only start before regex_max_offset: PCRE2's offset limit,
  // which needs this option at compile time.
  if (regex.maxOffset > 0) {
    options |= PCRE2_USE_OFFSET_LIMIT;
  }
  return options;
}

std::string pcreMessage(int code) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  if (pcre2_get_error_message(code, buffer.data(), buffer.size()) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return reinterpret_cast<const char*>(buffer.data());
}

}  // namespace

struct HttpRegexMatcher::Pcre {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jitStack = nullptr;

  ~Pcre() {
    pcre2_jit_stack_free(jitStack);
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

Result<std::shared_ptr<const HttpRegexMatcher>> HttpRegexMatcher::compile(
    const config::HttpRegex& regex) {
  auto pcre = std::make_unique<Pcre>();
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  pcre->code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.pattern.data()), regex.pattern.size(),
                    compileOptions(regex), &errorCode, &errorOffset, nullptr);
  if (pcre->code == nullptr) {
    return Error{0, "regex '" + regex.pattern + "' at offset " + std::to_string(errorOffset) +
                        ": " + pcreMessage(errorCode)};
  }
  pcre->context = pcre2_match_context_create(nullptr);
  if (pcre->context == nullptr) {
    return Error{ENOMEM, "regex match context"};
  }
  if (regex.maxOffset > 0) {
    pcre2_set_offset_limit(pcre->context, regex.maxOffset);
  }
  // JIT is an optimisation: where the platform lacks it, the interpreter
  // gives the same answers.
  if (pcre2_jit_compile(pcre->code, PCRE2_JIT_COMPLETE) == 0 && regex.stackMax > 0) {
    pcre->jitStack = pcre2_jit_stack_create(regex.stackStart > 0 ? regex.stackStart : 32 * 1024,
                                            regex.stackMax, nullptr);
    if (pcre->jitStack != nullptr) {
      pcre2_jit_stack_assign(pcre->context, nullptr, pcre->jitStack);
    }
  }
  return std::shared_ptr<const HttpRegexMatcher>(new HttpRegexMatcher(regex, std::move(pcre)));
}

HttpRegexMatcher::HttpRegexMatcher(const config::HttpRegex& regex, std::unique_ptr<Pcre> pcre)
    : settings_(regex), pcre_(std::move(pcre)) {}

HttpRegexMatcher::~HttpRegexMatcher() = default;

RegexVerdict HttpRegexMatcher::search(std::string_view body) const {
  if (settings_.minOffset > body.size()) {
    return RegexVerdict::NoMatch;
  }
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(pcre_->code, nullptr);
  if (data == nullptr) {
    return RegexVerdict::Error;
  }
  int rc = pcre2_match(pcre_->code, reinterpret_cast<PCRE2_SPTR>(body.data()), body.size(),
                       settings_.minOffset, 0, data, pcre_->context);
  pcre2_match_data_free(data);
  if (rc >= 0) {
    return RegexVerdict::Match;
  }
  return rc == PCRE2_ERROR_NOMATCH ? RegexVerdict::NoMatch : RegexVerdict::Error;
}

bool HttpRegexMatcher::passes(std::string_view body) const {
  RegexVerdict verdict = search(body);
  if (verdict == RegexVerdict::Error) {
    return false;
  }
  return (verdict == RegexVerdict::Match) != settings_.noMatch;
}

}  // namespace vigil::check
