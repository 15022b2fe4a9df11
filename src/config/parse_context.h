#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "config/node.h"
#include "config/route_names.h"
#include "core/clock.h"
#include "core/ip_address.h"

namespace vigil::config {

// What every keyword handler gets: where to report, the reading mode, and
// the typed readers for argument values. Each reader reports a precise error
// at the token (naming the keyword and the accepted range) and returns
// nullopt, so handlers simply skip the assignment on bad input.
class ParseContext {
 public:
  // `routeNames` gives iproute2's table and realm names, read the first
  // time a name needs them; empty: this host's (systemRouteNames).
  using RouteNamesSource = std::function<RouteNames()>;
  ParseContext(Diagnostics& diagnostics, bool strict, RouteNamesSource routeNames = {})
      : diagnostics_(diagnostics), strict_(strict), routeNamesSource_(std::move(routeNames)) {}

  Diagnostics& diagnostics() { return diagnostics_; }
  bool strict() const { return strict_; }

  void error(const SourcePos& pos, std::string message) {
    diagnostics_.error(pos, std::move(message));
  }
  void warning(const SourcePos& pos, std::string message) {
    diagnostics_.warning(pos, std::move(message));
  }

  // A keyword this block does not know: a warning (keepalived skips such
  // lines too), an error under --strict-config.
  void unknownKeyword(const Node& node, std::string_view block);
  // A keyword keepalived knows but vigil does not act on: always a warning.
  void unsupportedKeyword(const Node& node, std::string_view why);

  // Checks the argument count; reports "'KW' takes ..." and returns false.
  bool expectArgs(const Node& node, size_t min, size_t max);
  bool expectArgs(const Node& node, size_t exactly) { return expectArgs(node, exactly, exactly); }
  // A block keyword written without its block (or the reverse).
  bool expectBlock(const Node& node);
  bool expectNoBlock(const Node& node);

  std::optional<int64_t> integer(const Token& tok, std::string_view what, int64_t min, int64_t max);
  std::optional<uint32_t> unsignedInt(const Token& tok, std::string_view what, uint32_t min,
                                      uint32_t max);
  // <BOOL>: on|off|true|false|yes|no.
  std::optional<bool> boolean(const Token& tok, std::string_view what);
  // A flag keyword: present means true unless followed by a <BOOL>.
  std::optional<bool> flag(const Node& node);
  // <TIMER>: seconds with an optional fraction, microsecond resolution.
  std::optional<Duration> seconds(const Token& tok, std::string_view what, Duration min,
                                  Duration max);
  std::optional<IpAddress> address(const Token& tok, std::string_view what);
  std::optional<IpPrefix> prefix(const Token& tok, std::string_view what);
  // A TCP/UDP port, 0-65535 (or 1-65535 when zeroAllowed is false).
  std::optional<uint16_t> port(const Token& tok, std::string_view what, bool zeroAllowed = false);
  // One of `choices`; reports the accepted list.
  std::optional<std::string> oneOf(const Token& tok, std::string_view what,
                                   std::initializer_list<std::string_view> choices);
  // A routing table (`table`/`lookup`): main, local, default, a number or a
  // name of rt_tables; an unknown name is an error at the token naming the
  // files searched.
  std::optional<uint32_t> routeTable(const Token& tok, std::string_view what);
  // A realm name of rt_realms or a number 0-65535 in `text` (part of `tok`).
  std::optional<uint32_t> realm(const Token& tok, std::string_view text, std::string_view what);
  // The rest of the node's line joined by spaces (scripts with arguments).
  static std::string joinArgs(const Node& node, size_t from = 0);

 private:
  const RouteNames& routeNames();

  Diagnostics& diagnostics_;
  bool strict_;
  RouteNamesSource routeNamesSource_;
  std::optional<RouteNames> routeNames_;  // once read
};

}  // namespace vigil::config
