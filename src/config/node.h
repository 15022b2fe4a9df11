#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/token.h"
#include "config/token_source.h"

namespace vigil::config {

// One statement of the configuration: a keyword, the words after it on its
// line, and, when a `{ ... }` block follows, the statements inside it.
// `vrrp_instance VI_1 { ... }` is keyword "vrrp_instance", args ["VI_1"] and
// children; an entry of a list block such as `10.0.0.1/24 dev eth0` inside
// virtual_ipaddress is a node whose keyword is the address.
struct Node {
  Token keyword;
  std::vector<Token> args;
  std::vector<Node> children;
  bool hasBlock = false;

  const std::string& name() const { return keyword.text; }
  const SourcePos& pos() const { return keyword.pos; }
};

// Groups tokens into statements and blocks, one top-level statement at a
// time. A block may open on the keyword's line or on the next line; `}` may
// close on the same line as entries. Unbalanced braces are reported and
// recovered from; nesting deeper than kMaxDepth is reported and skipped
// without recursion.
class NodeReader {
 public:
  static constexpr int kMaxDepth = 64;

  NodeReader(TokenSource& source, Diagnostics& diagnostics);

  // The next top-level statement, or nullopt at the end of input.
  std::optional<Node> next();

 private:
  bool fill();
  bool atEnd() { return !fill(); }
  const Token& peek() { return lookahead_; }
  Token take();
  void skipLineEnds();
  void skipBalanced();
  Node statement(int depth);
  std::vector<Node> nested(const Token& open, int depth);
  std::vector<Node> block(const Token* open, int depth);

  TokenSource& source_;
  Diagnostics& diagnostics_;
  Token lookahead_;
  bool haveLookahead_ = false;
  bool exhausted_ = false;
};

// The whole input as a list of top-level statements (tests, small inputs).
std::vector<Node> buildTree(const TokenList& tokens, Diagnostics& diagnostics);

}  // namespace vigil::config
