#pragma once

#include <string>
#include <vector>

#include "config/source.h"

namespace vigil::config {

enum class Severity { Warning, Error };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourcePos pos;
  std::string message;

  // "FILE:LINE:COL: error: message", the format `vigild -t` prints.
  std::string format() const;
};

// Findings collected while reading a configuration. Nothing here throws:
// readers report and carry on so one run shows every problem.
class Diagnostics {
 public:
  // Past this many errors further ones are dropped (one summary line is
  // kept), so a binary file cannot make the report itself huge.
  static constexpr size_t kMaxErrors = 200;

  void error(const SourcePos& pos, std::string message);
  void warning(const SourcePos& pos, std::string message);

  bool hasErrors() const { return errorCount_ > 0; }
  size_t errorCount() const { return errorCount_; }
  size_t warningCount() const { return warningCount_; }
  const std::vector<Diagnostic>& all() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
  size_t errorCount_ = 0;
  size_t warningCount_ = 0;
};

}  // namespace vigil::config
