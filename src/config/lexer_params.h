#pragma once

// Internal to the lexer: $NAME parameters and their substitution.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/diagnostics.h"
#include "config/lexer_line.h"

namespace vigil::config::lexer {

// Values of the parameters defined so far with `$NAME=value`. A value is
// kept as written (multi-line values joined with '\n') and substituted when
// it is used, not when it is defined.
class ParamTable {
 public:
  void define(std::string_view name, std::string value);
  const std::string* find(std::string_view name) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> values_;
};

// SplitMix64: small, seedable, and good enough for ${_RANDOM}.
class RandomSource {
 public:
  explicit RandomSource(uint64_t seed) : state_(seed) {}
  uint64_t next();

 private:
  uint64_t state_;
};

// What the pre-defined names stand for at the line being read. User
// definitions of the same names win, as in keepalived.
struct Predefined {
  std::string_view pwd;       // ${_PWD}: directory of the file being read
  std::string_view instance;  // ${_INSTANCE}: the config id
  RandomSource* random = nullptr;
};

enum class Substitution { None, Done, TooLong };

struct SubstitutionInput {
  const ParamTable& params;
  const Predefined& predefined;
  size_t maxBytes;  // longest result allowed
  Diagnostics& diagnostics;
};

// Replaces, once, every defined `$NAME` that is followed by a blank or the
// end of the line and every defined `${NAME}`; undefined ones stay as they
// are. The result goes to `out`, each substituted byte carrying the column of
// its `$`. The caller runs the result through the whole line pipeline again,
// which makes substitution recursive and lets values hold conditionals,
// definitions and sequences. `last` describes the last reference replaced.
struct LastReference {
  std::string name;
  size_t at = 0;  // index of its `$` in the input
};
Substitution substituteOnce(const LineView& in, const SubstitutionInput& input, OwnedLine& out,
                            LastReference& last);

}  // namespace vigil::config::lexer
