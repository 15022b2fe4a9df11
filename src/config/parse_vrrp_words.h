#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/parse_context.h"
#include "config/parse_util.h"

namespace vigil::config::vrrp {

// A cursor over the words of a list-block entry (its keyword, then its
// arguments) that reports missing values. Shared by the address, route and
// rule parsers.
class EntryWords {
 public:
  EntryWords(const Node& entry, std::string_view block, ParseContext& ctx)
      : block_(block), ctx_(ctx) {
    words_.push_back(&entry.keyword);
    for (const Token& tok : entry.args) words_.push_back(&tok);
  }

  bool done() const { return i_ >= words_.size(); }
  const Token& next() { return *words_[i_++]; }
  // The value after option `opt`; null (reported) when the line ends.
  const Token* value(const Token& opt) {
    if (done()) {
      ctx_.error(opt.pos,
                 parse::quoted(block_) + " option " + parse::quoted(opt.text) + " needs a value");
      return nullptr;
    }
    return &next();
  }
  void unknown(const Token& word) {
    ctx_.error(word.pos,
               "unknown " + parse::quoted(block_) + " option " + parse::quoted(word.text));
  }
  std::string what(const std::string& opt) const { return parse::quoted(block_) + " " + opt; }

 private:
  std::vector<const Token*> words_;
  size_t i_ = 0;
  std::string_view block_;
  ParseContext& ctx_;
};

}  // namespace vigil::config::vrrp
