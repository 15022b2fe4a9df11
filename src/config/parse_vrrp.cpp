// The VRRP top-level blocks: dispatch to each block's parser, plus the
// small static_* and interface_up_down_delays blocks.
#include <string_view>
#include <unordered_map>

#include "config/parse_vrrp_internal.h"
#include "config/parsers.h"

namespace vigil::config {
namespace vrrp {
namespace {

using parse::quoted;

template <class Item, class Parse>
void listBlock(const Node& node, std::vector<Item>& out, ParseContext& ctx, Parse parseEntry) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (auto item = parseEntry(entry, node.name(), AddressUse::Static, ctx)) {
      out.push_back(std::move(*item));
    }
  }
}

void staticAddresses(const Node& node, VrrpModel& model, ParseContext& ctx) {
  listBlock(node, model.staticAddresses, ctx, parseAddress);
}

void staticRoutes(const Node& node, VrrpModel& model, ParseContext& ctx) {
  listBlock(node, model.staticRoutes, ctx, parseRoute);
}

void staticRules(const Node& node, VrrpModel& model, ParseContext& ctx) {
  listBlock(node, model.staticRules, ctx, parseRule);
}

std::optional<InterfaceDelay> interfaceDelay(const Node& entry, ParseContext& ctx) {
  if (!ctx.expectNoBlock(entry) || !ctx.expectArgs(entry, 1, 2)) {
    return std::nullopt;
  }
  auto delay = [&](const Token& tok) {
    return ctx.seconds(tok, "'interface_up_down_delays' delay", Duration{0},
                       std::chrono::seconds(255));
  };
  auto down = delay(entry.args[0]);
  auto up = entry.args.size() > 1 ? delay(entry.args[1]) : down;
  if (!down || !up) {
    return std::nullopt;
  }
  return InterfaceDelay{entry.name(), *down, *up, entry.pos()};
}

void interfaceDelays(const Node& node, VrrpModel& model, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (auto d = interfaceDelay(entry, ctx)) {
      model.interfaceDelays.push_back(*d);
    }
  }
}

using TopLevelParser = void (*)(const Node&, VrrpModel&, ParseContext&);

const std::unordered_map<std::string_view, TopLevelParser>& topLevel() {
  static const std::unordered_map<std::string_view, TopLevelParser> table = {
      {"vrrp_script", parseScript},
      {"track_file", parseTrackFile},
      {"vrrp_track_file", parseTrackFile},  // deprecated spelling
      {"vrrp_track_process", parseTrackProcess},
      {"vrrp_sync_group", parseSyncGroup},
      {"track_group", parseTrackGroup},
      {"vrrp_instance", parseInstance},
      {"static_ipaddress", staticAddresses},
      {"static_routes", staticRoutes},
      {"static_rules", staticRules},
      {"interface_up_down_delays", interfaceDelays},
  };
  return table;
}

template <class T>
const T* findByName(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) {
      return &item;
    }
  }
  return nullptr;
}

}  // namespace
}  // namespace vrrp

bool parseVrrpTopLevel(const Node& node, Config& config, ParseContext& ctx) {
  const auto& table = vrrp::topLevel();
  auto it = table.find(node.name());
  if (it == table.end()) {
    return false;
  }
  it->second(node, config.vrrp, ctx);
  return true;
}

const VrrpInstance* VrrpModel::findInstance(const std::string& name) const {
  return vrrp::findByName(instances, name);
}

const VrrpScript* VrrpModel::findScript(const std::string& name) const {
  return vrrp::findByName(scripts, name);
}

}  // namespace vigil::config
