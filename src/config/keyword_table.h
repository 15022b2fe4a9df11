#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/node.h"
#include "config/parse_context.h"

namespace vigil::config {

// The keywords a block accepts and what each one does to the object being
// built. Tables are built once (function-local statics) and then only read.
template <class T>
class KeywordTable {
 public:
  using Handler = std::function<void(const Node&, T&, ParseContext&)>;

  explicit KeywordTable(std::string blockName) : blockName_(std::move(blockName)) {}

  KeywordTable& on(std::string_view keyword, Handler handler) {
    handlers_.emplace(std::string(keyword), std::move(handler));
    return *this;
  }
  // Several spellings of one keyword (keepalived keeps old names alive).
  KeywordTable& on(std::initializer_list<std::string_view> keywords, const Handler& handler) {
    for (auto k : keywords) {
      on(k, handler);
    }
    return *this;
  }
  // Recognised keepalived keywords outside vigil's scope: a warning saying so.
  KeywordTable& unsupported(std::initializer_list<std::string_view> keywords,
                            std::string_view why) {
    std::string reason(why);
    for (auto k : keywords) {
      on(k, [reason](const Node& node, T&, ParseContext& ctx) {
        ctx.unsupportedKeyword(node, reason);
      });
    }
    return *this;
  }
  // Anything not in the table goes here instead of being reported unknown
  // (list blocks whose entries are values, not keywords).
  KeywordTable& otherwise(Handler handler) {
    fallback_ = std::move(handler);
    return *this;
  }

  bool knows(std::string_view keyword) const { return handlers_.count(std::string(keyword)) > 0; }
  const std::string& blockName() const { return blockName_; }

  void apply(const std::vector<Node>& nodes, T& target, ParseContext& ctx) const {
    for (const Node& node : nodes) {
      auto it = handlers_.find(node.name());
      if (it != handlers_.end()) {
        it->second(node, target, ctx);
      } else if (fallback_) {
        fallback_(node, target, ctx);
      } else {
        ctx.unknownKeyword(node, blockName_);
      }
    }
  }

 private:
  std::string blockName_;
  std::unordered_map<std::string, Handler> handlers_;
  Handler fallback_;
};

}  // namespace vigil::config
