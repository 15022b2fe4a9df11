#include "config/lexer_scan.h"

#include <array>
#include <cstring>

namespace vigil::config::lexer {
namespace {

// Bytes that change the comment scanner's state.
constexpr std::array<bool, 256> kCommentTable = [] {
  std::array<bool, 256> t{};
  t['#'] = t['!'] = t['"'] = t['\''] = t['\\'] = true;
  return t;
}();

size_t findComment(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!kCommentTable[static_cast<unsigned char>(c)]) {
      continue;
    }
    if (quote != 0) {
      if (c == '\\') {
        ++i;  // an escaped byte never ends the quote
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' || c == '!') {
      return i;
    }
  }
  return s.size();
}

std::string hexByte(unsigned char c) {
  static const char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 0xf];
}

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0
// when it is invalid (stray continuation, overlong form, surrogate, > U+10FFFF,
// truncated).
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) {
      lo = 0xa0;
    } else if (c == 0xed) {
      hi = 0x9f;
    }
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) {
      lo = 0x90;
    } else if (c == 0xf4) {
      hi = 0x8f;
    }
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  if (at(i + 1) < lo || at(i + 1) > hi) {
    return 0;
  }
  for (size_t k = 2; k < len; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) {
      return 0;
    }
  }
  return len;
}

}  // namespace

PhysicalScan scanPhysicalLine(std::string_view line) {
  PhysicalScan scan;
  scan.contentEnd = findComment(line);
  std::string_view content = line.substr(0, scan.contentEnd);
  for (size_t i = 0; i < content.size();) {
    auto c = static_cast<unsigned char>(content[i]);
    if (c >= 0x20 && c < 0x7f) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (isBlank(static_cast<char>(c))) {
        ++i;
        continue;
      }
      scan.badAt = i;
      scan.badWhat = c == 0 ? "NUL byte" : "control character " + hexByte(c);
      return scan;
    }
    size_t len = utf8SequenceLength(content, i);
    if (len == 0) {
      scan.badAt = i;
      scan.badWhat = "invalid UTF-8 byte " + hexByte(c);
      return scan;
    }
    i += len;
  }
  return scan;
}

FileLines::FileLines(const std::string* name, std::string_view text, size_t maxLineBytes,
                     Diagnostics& diagnostics)
    : name_(name), text_(text), maxLineBytes_(maxLineBytes), diagnostics_(diagnostics) {
  if (text_.starts_with("\xEF\xBB\xBF")) {  // a UTF-8 byte order mark
    pos_ = 3;
    firstCol_ = 4;
  }
}

bool FileLines::next(LineView& line) {
  std::string_view raw;
  while (badLines_ <= kMaxBadLines && nextPhysical(raw)) {
    LineView view{raw, nullptr, line_ == 1 ? firstCol_ : 1, line_, name_};
    size_t contentEnd = 0;
    if (!usable(view, contentEnd)) {
      continue;
    }
    line = view.sub(0, contentEnd).trimmed();
    if (!line.text.empty()) {
      return true;
    }
  }
  return false;
}

bool FileLines::nextPhysical(std::string_view& raw) {
  if (pos_ >= text_.size()) {
    return false;
  }
  const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
  size_t end = nl == nullptr ? text_.size()
                             : static_cast<size_t>(static_cast<const char*>(nl) - text_.data());
  raw = text_.substr(pos_, end - pos_);
  ++line_;
  pos_ = end + 1;
  return true;
}

bool FileLines::usable(const LineView& raw, size_t& contentEnd) {
  if (raw.text.size() > maxLineBytes_) {
    diagnostics_.error(raw.posAt(0), "line longer than " + std::to_string(maxLineBytes_) +
                                         " bytes (" + std::to_string(raw.text.size()) +
                                         " bytes); line ignored");
    return false;
  }
  PhysicalScan scan = scanPhysicalLine(raw.text);
  if (scan.badAt == std::string_view::npos) {
    contentEnd = scan.contentEnd;
    return true;
  }
  if (++badLines_ <= kMaxBadLines) {
    diagnostics_.error(raw.posAt(scan.badAt), scan.badWhat + " (not a text file?); line ignored");
  } else {
    diagnostics_.error(SourcePos{name_, line_, 1},
                       "too many lines with invalid bytes; ignoring the rest of " + *name_);
  }
  return false;
}

}  // namespace vigil::config::lexer
