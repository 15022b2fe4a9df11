#include "vrrp/route_spec.h"

#include <linux/rtnetlink.h>

#include <array>
#include <string>

#include "config/parse_util.h"
#include "config/route_names.h"

namespace vigil::vrrp {
namespace {

using config::parse::decimalOrHex;

uint8_t defaultScope(const netlink::RouteSpec& spec) {
  switch (spec.type) {
    case netlink::RouteType::Local:
      return RT_SCOPE_HOST;
    case netlink::RouteType::Broadcast:
    case netlink::RouteType::Anycast:
    case netlink::RouteType::Multicast:
      return RT_SCOPE_LINK;
    case netlink::RouteType::Unicast:
      return spec.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    default:
      return RT_SCOPE_UNIVERSE;
  }
}

// Applies the kept-as-written options of `route` to `spec`.
class OptionReader {
 public:
  OptionReader(const config::VirtualRoute& route, netlink::RouteSpec& spec)
      : options_(route.options), spec_(spec), what_("route " + route.to.toString()) {}

  Status readAll() {
    while (i_ < options_.size()) {
      if (Status read = readOne(options_[i_++]); !read) return read;
    }
    if (locked_ != 0) spec_.metrics.emplace_back(RTAX_LOCK, locked_);
    return {};
  }

 private:
  Status readOne(const std::string& option) {
    if (option == "inet" || option == "inet6" || option == "add") return {};
    if (option == "onlink") {
      spec_.onLink = true;
      return {};
    }
    if (option == "tos" || option == "dsfield") {
      auto tos = value(option);
      if (!tos || *tos > 255) return invalid(option);
      spec_.tos = static_cast<uint8_t>(*tos);
      return {};
    }
    if (option == "features") return features();
    if (auto id = netlink::routeMetricNamed(option)) return metric(option, *id);
    return Error{EINVAL, what_ + ": option " + quoted(option) + " is not applied by vigil"};
  }

  Status metric(const std::string& option, int id) {
    if (i_ < options_.size() && options_[i_] == "lock") {
      ++i_;
      locked_ |= 1u << id;
    }
    auto v = value(option);
    if (!v) return invalid(option);
    spec_.metrics.emplace_back(id, *v);
    return {};
  }

  Status features() {
    if (i_ >= options_.size() || options_[i_] != "ecn") return invalid("features");
    ++i_;
    spec_.metrics.emplace_back(RTAX_FEATURES, RTAX_FEATURE_ECN);
    return {};
  }

  std::optional<uint32_t> value(const std::string&) {
    if (i_ >= options_.size()) return std::nullopt;
    return decimalOrHex(options_[i_++]);
  }

  Error invalid(const std::string& option) const {
    return Error{EINVAL, what_ + ": option " + quoted(option) + " has no valid value"};
  }

  static std::string quoted(const std::string& text) { return "'" + text + "'"; }

  const std::vector<std::string>& options_;
  size_t i_ = 0;
  netlink::RouteSpec& spec_;
  std::string what_;
  uint32_t locked_ = 0;
};

}  // namespace

std::optional<uint32_t> routeTableId(std::string_view name, const RouteTableLookup& tables) {
  if (name.empty() || name == "main") return RT_TABLE_MAIN;
  if (name == "local") return RT_TABLE_LOCAL;
  if (name == "default") return RT_TABLE_DEFAULT;
  if (auto id = decimalOrHex(name)) return id;
  return tables ? tables(name) : std::nullopt;
}

std::optional<uint32_t> systemRouteTable(std::string_view name) {
  return config::systemRouteNames().tables.find(name);
}

Result<netlink::RouteSpec> routeSpecFor(const config::VirtualRoute& route,
                                        const RouteTableLookup& tables) {
  const std::string what = "route " + route.to.toString();
  netlink::RouteSpec spec;
  spec.destination = route.to;
  if (!route.type.empty()) {
    auto type = netlink::routeTypeNamed(route.type);
    if (!type) return Error{EINVAL, what + ": type '" + route.type + "' is not applied by vigil"};
    spec.type = *type;
  }
  spec.gateway = route.via;
  spec.source = route.src;
  if (!route.dev.empty()) spec.device = netlink::InterfaceRef{route.dev};
  spec.metric = route.metric.value_or(0);
  auto table = routeTableId(route.table, tables);
  if (!table) return Error{EINVAL, what + ": unknown table '" + route.table + "'"};
  spec.table = *table;
  if (!route.protocol.empty()) {
    auto protocol = netlink::routeProtocolNamed(route.protocol);
    if (!protocol) return Error{EINVAL, what + ": unknown protocol '" + route.protocol + "'"};
    spec.protocol = *protocol;
  }
  if (Status read = OptionReader(route, spec).readAll(); !read) return read.error();
  if (route.scope.empty()) {
    spec.scope = defaultScope(spec);
  } else if (auto scope = netlink::routeScopeNamed(route.scope)) {
    spec.scope = *scope;
  } else {
    return Error{EINVAL, what + ": unknown scope '" + route.scope + "'"};
  }
  return spec;
}

}  // namespace vigil::vrrp
