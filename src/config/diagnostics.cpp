#include "config/diagnostics.h"

namespace vigil::config {

std::string Diagnostic::format() const {
  return pos.format() + (severity == Severity::Error ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(const SourcePos& pos, std::string message) {
  ++errorCount_;
  if (errorCount_ < kMaxErrors) {
    items_.push_back({Severity::Error, pos, std::move(message)});
  } else if (errorCount_ == kMaxErrors) {
    items_.push_back({Severity::Error, pos, "too many errors; stopping the report here"});
  }
}

void Diagnostics::warning(const SourcePos& pos, std::string message) {
  ++warningCount_;
  if (warningCount_ < kMaxErrors) {
    items_.push_back({Severity::Warning, pos, std::move(message)});
  }
}

}  // namespace vigil::config
