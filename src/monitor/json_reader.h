#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>

// A strict reader over JSON text in the plain shape the workers write, for
// the supervisor's paths that must not build a JSON tree of a snapshot of
// megabytes (real_server_text.h, sd_notify.h).
namespace vigil::monitor {

// A member value as snapshot_metrics.cpp's number() and text() see it.
struct JsonScalar {
  enum class Kind { Missing, Number, Bool, String, Other };
  Kind kind = Kind::Missing;
  double number = 0;
  std::string_view text;

  // number(): a number, or a bool as 1 or 0.
  std::optional<double> asNumber() const {
    if (kind == Kind::Number) return number;
    if (kind == Kind::Bool) return number;
    return std::nullopt;
  }
  // text(): a string, or empty.
  std::string_view asText() const { return kind == Kind::String ? text : std::string_view(); }
};

// A strict JSON reader over one object's text that refuses (fails) rather
// than interprets anything outside the plain shape: strings with an escape,
// a control character or a byte outside ASCII; numbers beyond a double.
// Once failed, every call returns false or nothing.
class JsonReader {
 public:
  // Deeper values than this in a part the reader skips: left to the JSON
  // parser.
  static constexpr int kMaxDepth = 32;

  explicit JsonReader(std::string_view text) : text_(text) {}

  bool failed() const { return failed_; }
  bool fail() {
    failed_ = true;
    return false;
  }

  void skipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }
  // After space: whether the next byte is `c` (consumed if so).
  bool take(char c) {
    skipSpace();
    if (failed_ || at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool expect(char c) { return take(c) || fail(); }
  char peek() {
    skipSpace();
    return failed_ || at_ >= text_.size() ? '\0' : text_[at_];
  }
  bool atEnd() {
    skipSpace();
    return at_ == text_.size();
  }

  std::optional<std::string_view> string() {
    if (!expect('"')) return std::nullopt;
    const size_t begin = at_;
    for (; at_ < text_.size(); ++at_) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') return text_.substr(begin, at_++ - begin);
      if (c == '\\' || c < 0x20 || c >= 0x80) break;
    }
    fail();
    return std::nullopt;
  }

  // Objects: `{`, then key() ... until endObject().
  bool beginObject() { return expect('{'); }
  // The next member's key, or nothing at the object's end (consumed) or on
  // failure.
  std::optional<std::string_view> key(bool first) {
    if (take('}')) return std::nullopt;
    if (!first && !expect(',')) return std::nullopt;
    std::optional<std::string_view> name = string();
    if (!name || !expect(':')) return std::nullopt;
    return name;
  }
  // Arrays: `[`, then next() before each element.
  bool beginArray() { return expect('['); }
  // Whether an element follows (false at the end, consumed, or on failure).
  bool next(bool first) {
    if (take(']')) return false;
    return first || expect(',');
  }

  JsonScalar scalar() {
    JsonScalar s;
    const char c = peek();
    if (c == '"') {
      s.kind = JsonScalar::Kind::String;
      s.text = string().value_or(std::string_view());
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      s.kind = JsonScalar::Kind::Number;
      s.number = number();
    } else if (literal("true")) {
      s.kind = JsonScalar::Kind::Bool;
      s.number = 1;
    } else if (literal("false")) {
      s.kind = JsonScalar::Kind::Bool;
    } else {
      s.kind = JsonScalar::Kind::Other;
      skipValue(0);
    }
    return s;
  }

  bool skipValue(int depth) {
    if (depth > kMaxDepth) return fail();
    const char c = peek();
    if (c == '{') {
      beginObject();
      for (bool first = true; key(first); first = false) {
        if (!skipValue(depth + 1)) return false;
      }
      return !failed_;
    }
    if (c == '[') {
      beginArray();
      for (bool first = true; next(first); first = false) {
        if (!skipValue(depth + 1)) return false;
      }
      return !failed_;
    }
    if (c == '"') return string().has_value();
    if (c == '-' || (c >= '0' && c <= '9')) {
      (void)number();
      return !failed_;
    }
    return literal("true") || literal("false") || literal("null") || fail();
  }

 private:
  bool literal(std::string_view word) {
    if (failed_ || text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  size_t digits() {
    const size_t begin = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ - begin;
  }

  // JSON's number grammar exactly; the value correctly rounded, as
  // nlohmann's strtod (or its integer converted) gives it.
  double number() {
    const size_t begin = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (digits() == 0) {
      fail();
      return 0;
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (digits() == 0) {
        fail();
        return 0;
      }
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (digits() == 0) {
        fail();
        return 0;
      }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text_.data() + begin, text_.data() + at_, value);
    if (ec != std::errc() || end != text_.data() + at_ || !std::isfinite(value)) fail();
    return value;
  }

  std::string_view text_;
  size_t at_ = 0;
  bool failed_ = false;
};

}  // namespace vigil::monitor
