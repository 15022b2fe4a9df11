#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/keyword_table.h"
#include "config/model_global.h"
#include "config/node.h"
#include "config/parse_context.h"

// Small building blocks shared by the global_defs and VRRP keyword tables:
// handlers for the common "keyword VALUE" shapes, so each table entry says
// only which field a keyword sets and its accepted range.
namespace vigil::config::parse {

// A decimal or 0x-hexadecimal unsigned number, as `ip route` and `ip rule`
// read them; nullopt for anything else (empty, signs, trailing text, overflow).
std::optional<uint32_t> decimalOrHex(std::string_view text);

// "'s'". Overloaded for each string type so that argument-dependent lookup
// never prefers std::quoted (<iomanip>) for a std::string argument.
inline std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }
inline std::string quoted(const std::string& s) { return quoted(std::string_view(s)); }
inline std::string quoted(const char* s) { return quoted(std::string_view(s)); }

// "'keyword'", the name readers put in their messages.
inline std::string what(const Node& node) { return quoted(node.name()); }

// A keyword with exactly `n` values and no block.
inline bool args(const Node& node, ParseContext& ctx, size_t min, size_t max) {
  return ctx.expectNoBlock(node) && ctx.expectArgs(node, min, max);
}
inline bool args(const Node& node, ParseContext& ctx, size_t n) { return args(node, ctx, n, n); }

// `KW COMMAND [USER [GROUP]]`; a command with arguments must be quoted.
std::optional<ScriptCommand> scriptCommand(const Node& node, ParseContext& ctx);
// `KW USER [GROUP]`.
std::optional<ScriptAccount> scriptAccount(const Node& node, ParseContext& ctx);
// Seconds as a whole number or fraction, in [min, max] seconds.
std::optional<Duration> secondsArg(const Node& node, ParseContext& ctx, double min, double max);
// The single value of a `KW VALUE` line.
std::optional<int64_t> integerArg(const Node& node, ParseContext& ctx, int64_t min, int64_t max);
// `tcp_check_mode connect|syn|handshake` (global_defs and TCP_CHECK).
std::optional<TcpCheckMode> tcpCheckModeArg(const Node& node, ParseContext& ctx);

// A GARP repeat count: at least 1 (0 is raised to 1 with a warning, as
// keepalived does), at most 1000.
std::optional<uint32_t> repeatCount(const Node& node, ParseContext& ctx);

// Handler factories. `field` is a callable mapping the target to the member
// to set, e.g. [](GlobalDefs& g) -> bool& { return g.vrrp.strict; }.
template <class T, class Field>
typename KeywordTable<T>::Handler flagInto(Field field) {
  return [field](const Node& node, T& target, ParseContext& ctx) {
    if (!ctx.expectNoBlock(node)) {
      return;
    }
    if (auto v = ctx.flag(node)) {
      field(target) = *v;
    }
  };
}

template <class T, class Field>
typename KeywordTable<T>::Handler integerInto(Field field, int64_t min, int64_t max) {
  return [field, min, max](const Node& node, T& target, ParseContext& ctx) {
    if (auto v = integerArg(node, ctx, min, max)) {
      using Value = std::remove_reference_t<decltype(field(target))>;
      field(target) = static_cast<Value>(*v);
    }
  };
}

template <class T, class Field>
typename KeywordTable<T>::Handler secondsInto(Field field, double min, double max) {
  return [field, min, max](const Node& node, T& target, ParseContext& ctx) {
    if (auto v = secondsArg(node, ctx, min, max)) {
      field(target) = *v;
    }
  };
}

template <class T, class Field>
typename KeywordTable<T>::Handler stringInto(Field field) {
  return [field](const Node& node, T& target, ParseContext& ctx) {
    if (args(node, ctx, 1)) {
      field(target) = node.args[0].text;
    }
  };
}

template <class T, class Field>
typename KeywordTable<T>::Handler scriptInto(Field field) {
  return [field](const Node& node, T& target, ParseContext& ctx) {
    if (auto s = scriptCommand(node, ctx)) {
      field(target) = std::move(*s);
    }
  };
}

template <class T, class Field>
typename KeywordTable<T>::Handler repeatInto(Field field) {
  return [field](const Node& node, T& target, ParseContext& ctx) {
    if (auto v = repeatCount(node, ctx)) {
      field(target) = *v;
    }
  };
}

}  // namespace vigil::config::parse
