#pragma once

#include "config/token.h"

namespace vigil::config {

// A pull stream of tokens. The lexer produces tokens on demand so a large
// configuration is never held as one token list: the loader reads one
// top-level block at a time, turns it into model objects and drops it.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // Fills `out` with the next token; false at the end of input.
  virtual bool next(Token& out) = 0;
};

// Receives tokens as the lexer produces them (push side of the stream).
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  virtual void push(Token&& token) = 0;
};

// Collects everything pushed (tests, small inputs).
class TokenCollector final : public TokenSink {
 public:
  void push(Token&& token) override { tokens.push_back(std::move(token)); }
  TokenList tokens;
};

// Serves a token list already in memory (tests, small inputs).
class TokenListSource final : public TokenSource {
 public:
  explicit TokenListSource(const TokenList& tokens) : tokens_(tokens) {}
  bool next(Token& out) override {
    if (i_ >= tokens_.size()) {
      return false;
    }
    out = tokens_[i_++];
    return true;
  }

 private:
  const TokenList& tokens_;
  size_t i_ = 0;
};

}  // namespace vigil::config
