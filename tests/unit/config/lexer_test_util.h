#pragma once

// Shared by the lexer tests: lex text or files and look at the result as
// logical lines and placed tokens, which read close to the input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/lexer.h"
#include "support/test_paths.h"

namespace vigil::config {

class LexerTest : public ::testing::Test {
 protected:
  TokenList lex(std::string_view text, const LexerOptions& options = {}) {
    Lexer lexer(sources_, diagnostics_, options);
    return lexer.readText("t.conf", text);
  }

  TokenList lexFile(const std::string& path, const LexerOptions& options = {}) {
    Lexer lexer(sources_, diagnostics_, options);
    Result<TokenList> tokens = lexer.readFile(path);
    EXPECT_TRUE(tokens.ok()) << (tokens.ok() ? "" : tokens.error().describe());
    return tokens.ok() ? std::move(tokens).value() : TokenList{};
  }

  // Logical lines: the words of each joined by one space, braces as { and }.
  static std::vector<std::string> lines(const TokenList& tokens) {
    std::vector<std::string> out;
    std::string current;
    for (const Token& t : tokens) {
      if (t.kind == Token::Kind::EndOfLine) {
        out.push_back(current);
        current.clear();
        continue;
      }
      if (!current.empty()) {
        current += ' ';
      }
      current += text(t);
    }
    if (!current.empty()) {
      out.push_back(current + " <no EndOfLine>");
    }
    return out;
  }

  // "TEXT@LINE:COL" for every token but EndOfLine.
  static std::vector<std::string> placed(const TokenList& tokens) {
    std::vector<std::string> out;
    for (const Token& t : tokens) {
      if (t.kind != Token::Kind::EndOfLine) {
        out.push_back(text(t) + "@" + std::to_string(t.pos.line) + ":" + std::to_string(t.pos.col));
      }
    }
    return out;
  }

  // Every diagnostic as `vigild -t` prints it.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diagnostics_.all()) {
      out.push_back(d.format());
    }
    return out;
  }

  static std::string text(const Token& t) {
    switch (t.kind) {
      case Token::Kind::OpenBrace:
        return "{";
      case Token::Kind::CloseBrace:
        return "}";
      default:
        return t.text;
    }
  }

  static std::string dataDir() { return std::string(VIGIL_TEST_DATA) + "/lexer"; }

  SourceSet sources_;
  Diagnostics diagnostics_;
};

}  // namespace vigil::config
