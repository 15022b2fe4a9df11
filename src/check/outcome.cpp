#include "check/outcome.h"

#include <array>

namespace vigil::check {

std::string_view toString(Outcome outcome) {
  static constexpr std::array<std::string_view, kOutcomeCount> kNames = {
      "up",          "refused",         "timeout",        "network_error",
      "bad_status",  "digest_mismatch", "regex_mismatch", "tls_error",
      "script_exit", "script_timeout",  "internal",       "bad_reply",
      "file_fault"};
  auto index = static_cast<size_t>(outcome);
  return index < kNames.size() ? kNames[index] : "unknown";
}

}  // namespace vigil::check
