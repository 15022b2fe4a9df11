#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// What one probe attempt found. Typed so failures are counted per kind
// (the metrics and `vigilctl check` show them) and logs say why.
namespace vigil::check {

enum class Outcome : uint8_t {
  Up,
  Refused,         // connection refused / reset before the check finished
  Timeout,         // no answer within the attempt's timeout
  NetworkError,    // unreachable, bind failure, other socket errors
  BadStatus,       // HTTP status not in status_code
  DigestMismatch,  // body MD5 differs from url { digest }
  RegexMismatch,   // regex did not match (or regex_no_match matched)
  TlsError,        // handshake or certificate verification failed
  ScriptExit,      // MISC_CHECK exited non-zero (1, or a code misc_dynamic rejects)
  ScriptTimeout,   // MISC_CHECK killed after misc_timeout
  Internal,        // we could not start the probe (fork, socket, curl setup)
  BadReply,        // SMTP code, DNS answer or UDP_CHECK reply not what was expected
  FileFault,       // FILE_CHECK: the tracked file's value says down
};
inline constexpr size_t kOutcomeCount = 13;

// "up", "refused", "timeout", "network_error", "bad_status",
// "digest_mismatch", "regex_mismatch", "tls_error", "script_exit",
// "script_timeout", "internal", "bad_reply", "file_fault": metric label
// values.
std::string_view toString(Outcome outcome);

struct ProbeResult {
  Outcome outcome = Outcome::Up;
  // MISC_CHECK with misc_dynamic: the weight the exit code asks for
  // (code - 2); unset otherwise.
  std::optional<uint32_t> weight;
  // For logs: "HTTP status 404", "exit status 1", "connect: No route to host".
  std::string detail;

  bool up() const { return outcome == Outcome::Up; }
};

}  // namespace vigil::check
