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

Result<void> Lexer::streamFile(const std::string& path, TokenSink& sink) {
  return lexer::Preprocessor(impl_->sources, impl_->diagnostics, impl_->options, sink)
      .readFile(path);
}

void Lexer::streamText(std::string_view name, std::string_view text, TokenSink& sink) {
  lexer::Preprocessor(impl_->sources, impl_->diagnostics, impl_->options, sink)
      .readText(name, text);
}

Result<TokenList> Lexer::readFile(const std::string& path) {
  TokenCollector collector;
  if (auto read = streamFile(path, collector); !read) {
    return read.error();
  }
  return std::move(collector.tokens);
}

TokenList Lexer::readText(std::string_view name, std::string_view text) {
  TokenCollector collector;
  streamText(name, text, collector);
  return std::move(collector.tokens);
}

}  // namespace vigil::config
