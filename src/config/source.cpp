#include "config/source.h"

#include <algorithm>

namespace vigil::config {

std::string SourcePos::format() const {
  if (file == nullptr) {
    return "<unknown>";
  }
  if (line == 0) {
    return *file;
  }
  return *file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

const std::string* SourceSet::intern(std::string_view path) {
  auto it = std::find(names_.begin(), names_.end(), path);
  if (it != names_.end()) {
    return &*it;
  }
  names_.emplace_back(path);
  return &names_.back();
}

}  // namespace vigil::config
