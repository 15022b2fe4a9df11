#include "config/node.h"

namespace vigil::config {
namespace {

// Deeper nesting than any real configuration uses; past it the input is
// garbage and recursion must not be allowed to exhaust the stack.
constexpr int kMaxDepth = 64;

using Kind = Token::Kind;

class TreeBuilder {
 public:
  TreeBuilder(const TokenList& tokens, Diagnostics& diagnostics)
      : tokens_(tokens), diagnostics_(diagnostics) {}

  std::vector<Node> build() { return block(nullptr, 0); }

 private:
  bool atEnd() const { return i_ >= tokens_.size(); }
  const Token& peek() const { return tokens_[i_]; }

  void skipLineEnds() {
    while (!atEnd() && peek().kind == Kind::EndOfLine) {
      ++i_;
    }
  }

  // Reads statements until the `}` matching `open` (or the end of input when
  // open is null, the top level).
  std::vector<Node> block(const Token* open, int depth) {
    std::vector<Node> nodes;
    for (;;) {
      skipLineEnds();
      if (atEnd()) {
        if (open != nullptr) {
          diagnostics_.error(open->pos, "'{' is never closed (end of input reached)");
        }
        return nodes;
      }
      const Token& tok = peek();
      if (tok.kind == Kind::CloseBrace) {
        ++i_;
        if (open != nullptr) {
          return nodes;
        }
        diagnostics_.error(tok.pos, "'}' without a matching '{'");
        continue;
      }
      if (tok.kind == Kind::OpenBrace) {
        diagnostics_.error(tok.pos, "'{' must follow a keyword");
        ++i_;
        (void)nested(tok, depth);
        continue;
      }
      nodes.push_back(statement(depth));
    }
  }

  std::vector<Node> nested(const Token& open, int depth) {
    if (depth + 1 > kMaxDepth) {
      diagnostics_.error(open.pos,
                         "blocks are nested more than " + std::to_string(kMaxDepth) + " deep");
      skipBalanced();
      return {};
    }
    return block(&open, depth + 1);
  }

  // Skips to just past the `}` balancing an already consumed `{`, without
  // recursion.
  void skipBalanced() {
    size_t level = 1;
    while (!atEnd() && level > 0) {
      Kind k = peek().kind;
      if (k == Kind::OpenBrace) {
        ++level;
      } else if (k == Kind::CloseBrace) {
        --level;
      }
      ++i_;
    }
  }

  Node statement(int depth) {
    Node node;
    node.keyword = tokens_[i_++];
    while (!atEnd() && peek().kind == Kind::Word) {
      node.args.push_back(tokens_[i_++]);
    }
    if (atEnd()) {
      return node;
    }
    // keepalived accepts the opening brace on the line after the keyword.
    size_t save = i_;
    skipLineEnds();
    if (!atEnd() && peek().kind == Kind::OpenBrace) {
      const Token& open = tokens_[i_++];
      node.hasBlock = true;
      node.children = nested(open, depth);
      return node;
    }
    i_ = save;
    return node;
  }

  const TokenList& tokens_;
  Diagnostics& diagnostics_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Node> buildTree(const TokenList& tokens, Diagnostics& diagnostics) {
  return TreeBuilder(tokens, diagnostics).build();
}

}  // namespace vigil::config
