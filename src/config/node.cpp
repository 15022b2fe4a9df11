#include "config/node.h"

namespace vigil::config {

using Kind = Token::Kind;

NodeReader::NodeReader(TokenSource& source, Diagnostics& diagnostics)
    : source_(source), diagnostics_(diagnostics) {}

bool NodeReader::fill() {
  if (!haveLookahead_ && !exhausted_) {
    haveLookahead_ = source_.next(lookahead_);
    exhausted_ = !haveLookahead_;
  }
  return haveLookahead_;
}

Token NodeReader::take() {
  fill();
  haveLookahead_ = false;
  return std::move(lookahead_);
}

void NodeReader::skipLineEnds() {
  while (!atEnd() && peek().kind == Kind::EndOfLine) {
    haveLookahead_ = false;
  }
}

// Skips to just past the `}` balancing an already consumed `{`.
void NodeReader::skipBalanced() {
  size_t level = 1;
  while (!atEnd() && level > 0) {
    Kind k = peek().kind;
    if (k == Kind::OpenBrace) {
      ++level;
    } else if (k == Kind::CloseBrace) {
      --level;
    }
    haveLookahead_ = false;
  }
}

std::optional<Node> NodeReader::next() {
  for (;;) {
    skipLineEnds();
    if (atEnd()) {
      return std::nullopt;
    }
    if (peek().kind == Kind::CloseBrace) {
      diagnostics_.error(take().pos, "'}' without a matching '{'");
      continue;
    }
    if (peek().kind == Kind::OpenBrace) {
      Token open = take();
      diagnostics_.error(open.pos, "'{' must follow a keyword");
      (void)nested(open, 0);
      continue;
    }
    return statement(0);
  }
}

// Reads statements until the `}` matching `open`.
std::vector<Node> NodeReader::block(const Token* open, int depth) {
  std::vector<Node> nodes;
  for (;;) {
    skipLineEnds();
    if (atEnd()) {
      diagnostics_.error(open->pos, "'{' is never closed (end of input reached)");
      return nodes;
    }
    if (peek().kind == Kind::CloseBrace) {
      haveLookahead_ = false;
      return nodes;
    }
    if (peek().kind == Kind::OpenBrace) {
      Token inner = take();
      diagnostics_.error(inner.pos, "'{' must follow a keyword");
      (void)nested(inner, depth);
      continue;
    }
    nodes.push_back(statement(depth));
  }
}

std::vector<Node> NodeReader::nested(const Token& open, int depth) {
  if (depth + 1 > kMaxDepth) {
    diagnostics_.error(open.pos,
                       "blocks are nested more than " + std::to_string(kMaxDepth) + " deep");
    skipBalanced();
    return {};
  }
  return block(&open, depth + 1);
}

Node NodeReader::statement(int depth) {
  Node node;
  node.keyword = take();
  while (!atEnd() && peek().kind == Kind::Word) {
    node.args.push_back(take());
  }
  // keepalived accepts the opening brace on the line after the keyword, so
  // look past line ends; they only separate statements, so consuming them
  // when no brace follows changes nothing.
  skipLineEnds();
  if (!atEnd() && peek().kind == Kind::OpenBrace) {
    Token open = take();
    node.hasBlock = true;
    node.children = nested(open, depth);
  }
  return node;
}

std::vector<Node> buildTree(const TokenList& tokens, Diagnostics& diagnostics) {
  TokenListSource source(tokens);
  NodeReader reader(source, diagnostics);
  std::vector<Node> nodes;
  while (auto node = reader.next()) {
    nodes.push_back(std::move(*node));
  }
  return nodes;
}

}  // namespace vigil::config
