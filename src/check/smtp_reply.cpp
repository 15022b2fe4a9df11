#include "check/smtp_reply.h"

namespace vigil::check {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

SmtpReplyReader::State SmtpReplyReader::feed(std::string_view bytes) {
  if (state_ != State::Incomplete) {
    return state_;
  }
  buffer_.append(bytes);
  state_ = scan();
  if (state_ == State::Incomplete && buffer_.size() > kMaxReplyBytes) {
    state_ = State::Malformed;
  }
  return state_;
}

SmtpReplyReader::State SmtpReplyReader::scan() {
  for (;;) {
    size_t end = buffer_.find('\n', scanned_);
    if (end == std::string::npos) {
      return State::Incomplete;
    }
    std::string_view line(buffer_.data() + scanned_, end - scanned_);
    scanned_ = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.size() < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2])) {
      return State::Malformed;
    }
    if (line.size() > 3 && line[3] == '-') {
      continue;  // a continuation line; the reply goes on
    }
    if (line.size() > 3 && line[3] != ' ') {
      return State::Malformed;
    }
    code_ = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    return State::Complete;
  }
}

void SmtpReplyReader::reset() {
  buffer_.clear();
  scanned_ = 0;
  state_ = State::Incomplete;
  code_ = 0;
}

}  // namespace vigil::check
