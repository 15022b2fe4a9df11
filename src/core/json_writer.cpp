#include "core/json_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

namespace vigil {
namespace {

// The length of the UTF-8 sequence starting at text[i], or 0 when the
// bytes there are not one (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF).
size_t utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto continuation = [&](size_t k) {
    return i + k < text.size() && (byte(k) & 0xC0) == 0x80;
  };
  unsigned char b = byte(0);
  if (b >= 0xC2 && b <= 0xDF) return continuation(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Printable ASCII other than the quote and the backslash.
bool needsNoEscape(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Whether any of the 8 bytes of `w` is not needsNoEscape(): a byte with the
// high bit (UTF-8, checked on the slow path), a control character, '"' or
// '\\'. Bit tricks on the whole word instead of four compares a byte: keys
// and names are scanned in a few instructions. Each test is exact about
// whether such a byte exists (which one is left to the byte loop); "below
// 0x20" holds only for bytes under 0x80, which the first test has ruled out.
bool wordNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101u;
  constexpr uint64_t kHigh = 0x8080808080808080u;
  const auto hasZeroByte = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  if ((w & kHigh) != 0) return true;
  if (((w - kOnes * 0x20) & ~w & kHigh) != 0) return true;  // a byte below 0x20
  return hasZeroByte(w ^ (kOnes * '"')) || hasZeroByte(w ^ (kOnes * '\\'));
}

// How many leading bytes of `text` need no escaping.
size_t cleanPrefix(std::string_view text) {
  size_t clean = 0;
  for (; text.size() - clean >= 8; clean += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + clean, sizeof w);
    if (wordNeedsEscape(w)) break;
  }
  if (clean < text.size() && text.size() - clean < 8) {
    // The tail in one word too, padded with spaces (which need no escaping).
    uint64_t w = 0x2020202020202020u;
    std::memcpy(&w, text.data() + clean, text.size() - clean);
    if (!wordNeedsEscape(w)) return text.size();
  }
  while (clean < text.size() && needsNoEscape(static_cast<unsigned char>(text[clean]))) ++clean;
  return clean;
}

}  // namespace

void JsonWriter::separate() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (!open_.empty()) {
    if (!open_.back().empty) out_ += ',';
    open_.back().empty = false;
  }
}

JsonWriter& JsonWriter::object() {
  separate();
  out_ += '{';
  open_.push_back({'}', true});
  return *this;
}

JsonWriter& JsonWriter::array() {
  separate();
  out_ += '[';
  open_.push_back({']', true});
  return *this;
}

JsonWriter& JsonWriter::insideObject(bool hasMembers) {
  open_.push_back({'}', !hasMembers});
  return *this;
}

JsonWriter& JsonWriter::insideArray(bool hasMembers) {
  open_.push_back({']', !hasMembers});
  return *this;
}

JsonWriter& JsonWriter::end() {
  out_ += open_.back().closer;
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  quoted(name, ':');
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(JsonKey name) {
  separate();
  const std::string_view text = name.text();
  // The quotes, the name and the colon in one append when they fit the
  // stack buffer (every key in the snapshots does).
  char quoted[64];
  if (text.size() + 3 > sizeof quoted) {
    out_ += '"';
    out_ += text;
    out_ += "\":";
  } else {
    quoted[0] = '"';
    std::memcpy(quoted + 1, text.data(), text.size());
    quoted[text.size() + 1] = '"';
    quoted[text.size() + 2] = ':';
    out_.append(quoted, text.size() + 3);
  }
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::rawMembers(std::string_view members) {
  return members.empty() ? *this : raw(members);
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  quoted(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
  separate();
  integer(number);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  separate();
  integer(number);
  return *this;
}

template <typename Integer>
void JsonWriter::integer(Integer number) {
  char digits[24];  // 20 digits and a sign at most
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), number);
  (void)ec;  // cannot fail: the buffer holds any 64-bit integer
  out_.append(digits, end);
}

JsonWriter& JsonWriter::value(double number) {
  separate();
  if (std::isfinite(number)) {
    fmt::format_to(std::back_inserter(out_), "{}", number);
  } else {
    out_ += "null";
  }
  return *this;
}

void JsonWriter::quoted(std::string_view text, char after) {
  const size_t clean = cleanPrefix(text);
  if (clean == text.size()) {
    // Nearly all text (keys, names, addresses) needs no escaping: the
    // buffer grows once for the quotes, the text and `after`, not once per
    // piece (a key was ~250 instructions, most of a small snapshot's).
    const size_t at = out_.size();
    out_.resize(at + text.size() + (after != '\0' ? 3 : 2));
    char* p = out_.data() + at;
    *p++ = '"';
    std::memcpy(p, text.data(), text.size());
    p += text.size();
    *p++ = '"';
    if (after != '\0') *p = after;
    return;
  }
  // The clean prefix is known: it goes in as one append, and the scan
  // below starts where it ends instead of reading it again.
  out_ += '"';
  out_.append(text.data(), clean);
  for (size_t i = clean; i < text.size();) {
    // Text that needs no escaping (keys, names, addresses: nearly all of
    // it) goes in as one append.
    const size_t plain = i + cleanPrefix(text.substr(i));
    if (plain != i) {
      out_.append(text.data() + i, plain - i);
      i = plain;
      continue;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += static_cast<char>(c);
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(out_), "\\u{:04x}", c);
    } else if (c >= 0x80) {
      size_t length = utf8Length(text, i);
      if (length == 0) {
        out_ += "\\ufffd";
        ++i;
      } else {
        out_.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    ++i;
  }
  out_ += '"';
  if (after != '\0') out_ += after;
}

}  // namespace vigil
