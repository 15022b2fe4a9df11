#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// SMTP replies (RFC 5321 section 4.2): one or more lines "NNN-text" ending
// with a last line "NNN text" (or just "NNN"), each ending in CRLF.
namespace vigil::check {

// Collects what a server sends until one whole reply has arrived. Pure: the
// SMTP probe feeds it whatever recv(2) returned.
class SmtpReplyReader {
 public:
  enum class State { Incomplete, Complete, Malformed };

  // A reply longer than this is malformed: the check reads only banners
  // and short answers.
  static constexpr size_t kMaxReplyBytes = 4096;

  // Adds received bytes. Complete once the last line of a reply is in
  // (code() is then its code); Malformed for a line that does not start
  // with three digits followed by '-', ' ' or its end, or an over-long
  // reply. Bytes after a complete reply are ignored.
  State feed(std::string_view bytes);

  State state() const { return state_; }
  // The reply code (200-599 for a well-formed server); 0 until Complete.
  int code() const { return code_; }
  // Starts on the next reply.
  void reset();

 private:
  // Looks at the complete lines buffered so far.
  State scan();

  std::string buffer_;
  size_t scanned_ = 0;  // bytes of buffer_ already read as whole lines
  State state_ = State::Incomplete;
  int code_ = 0;
};

}  // namespace vigil::check
