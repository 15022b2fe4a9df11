// Interim lexer: comments, quotes and braces only. The full implementation
// (include, conditionals, parameters, sequences) replaces this file.
#include "config/lexer.h"

#include <fstream>
#include <sstream>

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
  std::ifstream in(path);
  if (!in) {
    return errnoError("cannot open " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return readText(path, ss.str());
}

TokenList Lexer::readText(std::string_view name, std::string_view text) {
  const std::string* file = impl_->sources.intern(name);
  TokenList out;
  uint32_t line = 1;
  size_t lineStart = 0;
  size_t i = 0;
  auto pos = [&](size_t at) { return SourcePos{file, line, static_cast<uint32_t>(at - lineStart + 1)}; };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      out.push_back({Token::Kind::EndOfLine, "", pos(i), false});
      ++line;
      lineStart = ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#' || c == '!') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{' || c == '}') {
      out.push_back({c == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, "", pos(i), false});
      ++i;
    } else {
      Token t{Token::Kind::Word, "", pos(i), false};
      while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r' &&
             text[i] != '{' && text[i] != '}') {
        if (text[i] == '"') {
          t.quoted = true;
          ++i;
          while (i < text.size() && text[i] != '"' && text[i] != '\n') t.text += text[i++];
          if (i < text.size() && text[i] == '"') ++i;
        } else {
          t.text += text[i++];
        }
      }
      out.push_back(std::move(t));
    }
  }
  out.push_back({Token::Kind::EndOfLine, "", pos(i), false});
  return out;
}

}  // namespace vigil::config
