#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::config {

// Where a token came from. `file` points into the SourceSet that produced it
// and stays valid as long as that set lives (the parsed Config keeps it).
struct SourcePos {
  const std::string* file = nullptr;
  uint32_t line = 0;  // 1-based
  uint32_t col = 0;   // 1-based, in bytes

  // "FILE:LINE:COL" (or "<unknown>" for a default-constructed position).
  std::string format() const;
};

// Owns the names of every file read, so positions can point at them cheaply.
class SourceSet {
 public:
  const std::string* intern(std::string_view path);

 private:
  std::deque<std::string> names_;
};

}  // namespace vigil::config
