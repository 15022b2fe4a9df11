// Feeds arbitrary bytes to the configuration reader as if they were a
// keepalived.conf: lexer, keyword tree, keyword parsers and validation. Any
// crash, sanitizer report, leak or runaway allocation is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::config::LoadOptions options;
  options.lexer.configId = "fuzz";
  // Smaller budgets than a real daemon's keep every input fast; the limits
  // themselves are what is being exercised.
  options.lexer.maxTokens = 200'000;
  options.lexer.maxLineBytes = 16 * 1024;
  options.lexer.maxIncludeDepth = 8;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::config::LoadResult result = vigil::config::loadConfigText("fuzz.conf", text, options);
  (void)result;
  return 0;
}
