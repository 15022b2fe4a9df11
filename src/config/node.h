#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/token.h"

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

// Groups a token list into statements and blocks. A block may open on the
// keyword's line or on the next line; `}` may close on the same line as
// entries. Unbalanced braces are reported and recovered from.
std::vector<Node> buildTree(const TokenList& tokens, Diagnostics& diagnostics);

}  // namespace vigil::config
