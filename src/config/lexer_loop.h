#pragma once

// Internal to the lexer: ~SEQ(var, start, step, end), ~SEQx(...) and
// ~LST(var|{vars}, values...) line expansion.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil::config::lexer {

struct LoopSpec {
  enum class Kind { Seq, SeqHex, List };
  Kind kind = Kind::Seq;
  std::vector<std::string> vars;
  // Seq / SeqHex: start + k * step for k in [0, count).
  int64_t start = 0;
  int64_t step = 1;
  uint64_t count = 0;
  // List: one row of values (one per variable) per iteration.
  std::vector<std::vector<std::string>> rows;

  uint64_t iterations() const { return kind == Kind::List ? rows.size() : count; }
  // The value of variable `var` in iteration `k`.
  std::string value(uint64_t k, size_t var) const;
  const char* name() const { return kind == Kind::List ? "~LST" : "~SEQ"; }
};

// Whether `text` starts with `~SEQ(`, `~SEQx(` or `~LST(`.
bool startsLoop(std::string_view text);

// Parses the specification between the parentheses (parameters already
// substituted). A failure returns what is wrong with it.
std::variant<LoopSpec, std::string> parseLoop(std::string_view keyword, std::string_view inner);

}  // namespace vigil::config::lexer
