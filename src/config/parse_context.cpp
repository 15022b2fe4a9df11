#include "config/parse_context.h"

#include <charconv>
#include <cmath>

namespace vigil::config {
namespace {

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string argCount(size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); }

}  // namespace

void ParseContext::unknownKeyword(const Node& node, std::string_view block) {
  std::string message = "unknown keyword " + quote(node.name()) + " in " + std::string(block);
  if (strict_) {
    error(node.pos(), message);
  } else {
    warning(node.pos(), message + "; ignored");
  }
}

void ParseContext::unsupportedKeyword(const Node& node, std::string_view why) {
  std::string message = quote(node.name()) + " is not supported by vigil and is ignored";
  if (!why.empty()) {
    message += " (" + std::string(why) + ")";
  }
  warning(node.pos(), message);
}

bool ParseContext::expectArgs(const Node& node, size_t min, size_t max) {
  size_t n = node.args.size();
  if (n >= min && n <= max) {
    return true;
  }
  std::string expected;
  if (min == max) {
    expected = argCount(min);
  } else if (max == SIZE_MAX) {
    expected = "at least " + argCount(min);
  } else {
    expected = std::to_string(min) + " to " + argCount(max);
  }
  error(node.pos(), quote(node.name()) + " takes " + expected + ", got " + std::to_string(n));
  return false;
}

bool ParseContext::expectBlock(const Node& node) {
  if (node.hasBlock) {
    return true;
  }
  error(node.pos(), quote(node.name()) + " needs a { ... } block");
  return false;
}

bool ParseContext::expectNoBlock(const Node& node) {
  if (!node.hasBlock) {
    return true;
  }
  error(node.pos(), quote(node.name()) + " does not take a { ... } block");
  return false;
}

std::optional<int64_t> ParseContext::integer(const Token& tok, std::string_view what, int64_t min,
                                             int64_t max) {
  const std::string& s = tok.text;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    if (ec == std::errc::result_out_of_range) {
      error(tok.pos, std::string(what) + " " + s + " is out of range " + std::to_string(min) + "-" +
                         std::to_string(max));
    } else {
      error(tok.pos, std::string(what) + " must be an integer, got " + quote(s));
    }
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(tok.pos, std::string(what) + " " + s + " is out of range " + std::to_string(min) + "-" +
                       std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<uint32_t> ParseContext::unsignedInt(const Token& tok, std::string_view what,
                                                  uint32_t min, uint32_t max) {
  auto v = integer(tok, what, min, max);
  if (!v) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(*v);
}

std::optional<bool> ParseContext::boolean(const Token& tok, std::string_view what) {
  const std::string& s = tok.text;
  if (s == "on" || s == "true" || s == "yes") {
    return true;
  }
  if (s == "off" || s == "false" || s == "no") {
    return false;
  }
  error(tok.pos, std::string(what) + " must be one of on|off|true|false|yes|no, got " + quote(s));
  return std::nullopt;
}

std::optional<bool> ParseContext::flag(const Node& node) {
  if (!expectArgs(node, 0, 1)) {
    return std::nullopt;
  }
  if (node.args.empty()) {
    return true;
  }
  return boolean(node.args[0], quote(node.name()));
}

std::optional<Duration> ParseContext::seconds(const Token& tok, std::string_view what, Duration min,
                                              Duration max) {
  const std::string& s = tok.text;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  auto describe = [](Duration d) {
    double secs = std::chrono::duration<double>(d).count();
    std::string text = std::to_string(secs);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.') {
      text.pop_back();
    }
    return text;
  };
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    error(tok.pos, std::string(what) + " must be a number of seconds, got " + quote(s));
    return std::nullopt;
  }
  double micros = std::round(value * 1e6);
  if (micros < std::chrono::duration_cast<std::chrono::microseconds>(min).count() ||
      micros > std::chrono::duration_cast<std::chrono::microseconds>(max).count()) {
    error(tok.pos, std::string(what) + " " + s + " is out of range " + describe(min) + "-" +
                       describe(max) + " seconds");
    return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<int64_t>(micros));
}

std::optional<IpAddress> ParseContext::address(const Token& tok, std::string_view what) {
  auto a = IpAddress::parse(tok.text);
  if (!a) {
    error(tok.pos, std::string(what) + " is not a valid IPv4 or IPv6 address: " + quote(tok.text));
  }
  return a;
}

std::optional<IpPrefix> ParseContext::prefix(const Token& tok, std::string_view what) {
  auto p = IpPrefix::parse(tok.text);
  if (!p) {
    error(tok.pos,
          std::string(what) + " is not a valid address or address/prefix: " + quote(tok.text));
  }
  return p;
}

const RouteNames& ParseContext::routeNames() {
  if (!routeNames_) {
    routeNames_ = routeNamesSource_ ? routeNamesSource_() : systemRouteNames();
  }
  return *routeNames_;
}

std::optional<uint32_t> ParseContext::routeTable(const Token& tok, std::string_view what) {
  // The reserved names and numbers need no file.
  if (auto id = RouteNames{}.tableId(tok.text)) return id;
  auto id = routeNames().tableId(tok.text);
  if (!id) {
    error(tok.pos, std::string(what) + " " + quote(tok.text) +
                       " is not a routing table: not main, local, default or a number, and "
                       "not named in " +
                       routeNames().tables.where());
  }
  return id;
}

std::optional<uint32_t> ParseContext::realm(const Token& tok, std::string_view text,
                                            std::string_view what) {
  if (auto id = RouteNames{}.realmId(text)) return id;
  auto id = routeNames().realmId(text);
  if (!id) {
    error(tok.pos, std::string(what) + " " + quote(text) +
                       " is not a realm: not a number 0-65535, and not named in " +
                       routeNames().realms.where());
  }
  return id;
}

std::optional<uint16_t> ParseContext::port(const Token& tok, std::string_view what,
                                           bool zeroAllowed) {
  auto v = integer(tok, what, zeroAllowed ? 0 : 1, 65535);
  if (!v) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(*v);
}

std::optional<std::string> ParseContext::oneOf(const Token& tok, std::string_view what,
                                               std::initializer_list<std::string_view> choices) {
  std::string list;
  for (auto c : choices) {
    if (tok.text == c) {
      return tok.text;
    }
    list += (list.empty() ? "" : "|") + std::string(c);
  }
  error(tok.pos,
        "unknown " + std::string(what) + " " + quote(tok.text) + " (expected one of " + list + ")");
  return std::nullopt;
}

std::string ParseContext::joinArgs(const Node& node, size_t from) {
  std::string out;
  for (size_t i = from; i < node.args.size(); ++i) {
    if (!out.empty()) {
      out += ' ';
    }
    out += node.args[i].text;
  }
  return out;
}

}  // namespace vigil::config
