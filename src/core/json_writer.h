#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Appends JSON text as it goes, without building a tree: the check
// worker's snapshot describes every checker, and building it as an
// nlohmann::json tree (a std::map and a string key per field) then dumping
// it was most of the snapshot's cost at thousands of checkers.
//
// Usage follows the document's shape: object()/array() open, end() closes,
// key() names the next value inside an object. Strings are escaped; bytes
// that are not UTF-8 become U+FFFD, so the text always parses.
namespace vigil {

// A key spelled in the source ("adverts_sent"_key, json_literals): checked
// when the program is compiled to need no escaping (printable ASCII, no
// quote or backslash), so JsonWriter::key() writes it without the scan it
// gives other text. A snapshot is mostly such keys; scanning each was
// ~180 instructions of its ~230.
class JsonKey {
 public:
  consteval JsonKey(const char* text, size_t size) : text_(text, size) {
    for (char c : text_) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') {
        throw "a JsonKey must need no escaping";  // a compile error: consteval
      }
    }
  }
  constexpr std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

namespace json_literals {
consteval JsonKey operator""_key(const char* text, size_t size) { return JsonKey(text, size); }
}  // namespace json_literals

class JsonWriter {
 public:
  JsonWriter& object();
  JsonWriter& array();
  JsonWriter& end();
  JsonWriter& key(std::string_view name);
  JsonWriter& key(JsonKey name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint32_t number) { return value(static_cast<uint64_t>(number)); }
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  // Shortest text that reads back as the same double; NaN and infinities,
  // which JSON cannot hold, become null.
  JsonWriter& value(double number);

  // Continues a document begun elsewhere (a snapshot slot, core/snapshot_patch.h),
  // inside an object or array opened there: `hasMembers` says whether it
  // already holds one, so the next is preceded by a comma. end() closes it.
  JsonWriter& insideObject(bool hasMembers);
  JsonWriter& insideArray(bool hasMembers);

  // `json`, one complete JSON value written by another JsonWriter, as is:
  // lets a part of a document that rarely changes be rendered once.
  JsonWriter& raw(std::string_view json);

  // `members`, the members of an object ("k":v,...) written by another
  // JsonWriter (the text between its braces), as is, into the object open
  // here: lets members that rarely change be rendered once. Nothing when
  // empty.
  JsonWriter& rawMembers(std::string_view members);

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }
  template <typename T>
  JsonWriter& field(JsonKey name, const T& v) {
    return key(name).value(v);
  }

  // Makes room for `bytes` of text in one allocation.
  void reserve(size_t bytes) { out_.reserve(bytes); }

  const std::string& text() const { return out_; }
  // Starts over with nothing written, keeping the buffer's capacity.
  void clear() {
    out_.clear();
    open_.clear();
    afterKey_ = false;
  }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  // `text` quoted and escaped, then `after` unless it is '\0'.
  void quoted(std::string_view text, char after = '\0');
  template <typename Integer>
  void integer(Integer number);

  struct Open {
    char closer;  // '}' or ']'
    bool empty;   // nothing written in it yet
  };

  std::string out_;
  std::vector<Open> open_;
  bool afterKey_ = false;
};

}  // namespace vigil
