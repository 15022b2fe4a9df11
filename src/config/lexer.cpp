// The public face of the lexer; the work happens in lexer::Preprocessor
// (lexer_preprocessor.cpp for files and includes, lexer_expand.cpp for
// logical lines, and the lexer_*.cpp stages they use).
#include "config/lexer.h"

#include "config/lexer_preprocessor.h"

namespace vigil::config {

struct Lexer::Impl {
  SourceSet& sources;
  Diagnostics& diagnostics;
  LexerOptions options;
};

Lexer::Lexer(SourceSet& sources, Diagnostics& diagnostics, LexerOptions options)
    : impl_(new Impl{sources, diagnostics, std::move(options)}) {}
Lexer::~Lexer() { delete impl_; }

Result<TokenList> Lexer::readFile(const std::string& path) {
  return lexer::Preprocessor(impl_->sources, impl_->diagnostics, impl_->options).readFile(path);
}

TokenList Lexer::readText(std::string_view name, std::string_view text) {
  return lexer::Preprocessor(impl_->sources, impl_->diagnostics, impl_->options)
      .readText(name, text);
}

}  // namespace vigil::config
