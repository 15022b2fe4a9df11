#include "config/parse_util.h"

#include <charconv>
#include <cmath>

namespace vigil::config::parse {

std::optional<uint32_t> decimalOrHex(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<ScriptCommand> scriptCommand(const Node& node, ParseContext& ctx) {
  if (!args(node, ctx, 1, 3)) {
    return std::nullopt;
  }
  ScriptCommand script;
  script.command = node.args[0].text;
  script.user = node.args.size() > 1 ? node.args[1].text : "";
  script.group = node.args.size() > 2 ? node.args[2].text : "";
  script.pos = node.pos();
  if (script.command.empty()) {
    ctx.error(node.args[0].pos, what(node) + " needs a command");
    return std::nullopt;
  }
  return script;
}

std::optional<ScriptAccount> scriptAccount(const Node& node, ParseContext& ctx) {
  if (!args(node, ctx, 1, 2)) {
    return std::nullopt;
  }
  ScriptAccount account;
  account.user = node.args[0].text;
  account.group = node.args.size() > 1 ? node.args[1].text : "";
  account.pos = node.pos();
  return account;
}

std::optional<Duration> secondsArg(const Node& node, ParseContext& ctx, double min, double max) {
  if (!args(node, ctx, 1)) {
    return std::nullopt;
  }
  auto toDuration = [](double s) {
    return Duration(std::chrono::microseconds(static_cast<int64_t>(std::llround(s * 1e6))));
  };
  return ctx.seconds(node.args[0], what(node), toDuration(min), toDuration(max));
}

std::optional<TcpCheckMode> tcpCheckModeArg(const Node& node, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return std::nullopt;
  }
  auto v = ctx.oneOf(node.args[0], what(node), {"connect", "syn", "handshake"});
  if (!v) {
    return std::nullopt;
  }
  if (*v == "syn") {
    return TcpCheckMode::Syn;
  }
  return *v == "handshake" ? TcpCheckMode::Handshake : TcpCheckMode::Connect;
}

std::optional<int64_t> integerArg(const Node& node, ParseContext& ctx, int64_t min, int64_t max) {
  if (!args(node, ctx, 1)) {
    return std::nullopt;
  }
  return ctx.integer(node.args[0], what(node), min, max);
}

std::optional<uint32_t> repeatCount(const Node& node, ParseContext& ctx) {
  auto v = integerArg(node, ctx, 0, 1000);
  if (v && *v == 0) {
    ctx.warning(node.args[0].pos, what(node) + " must be at least 1; using 1");
    return 1u;
  }
  if (!v) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(*v);
}

}  // namespace vigil::config::parse
