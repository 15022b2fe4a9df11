#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/keyword_table.h"
#include "config/model_vrrp.h"
#include "config/parse_util.h"

// Pieces of the VRRP block parsers shared between parse_vrrp*.cpp files.
namespace vigil::config::vrrp {

// Weight ranges of keepalived.conf(5): interfaces and scripts +-253, files
// and processes +-254 (so a file can push an instance into FAULT).
inline constexpr int32_t kMaxScriptWeight = 253;
inline constexpr int32_t kMaxFileWeight = 254;

// The objects of each top-level block (parse_vrrp_tracking.cpp,
// parse_vrrp_sync.cpp, parse_vrrp_instance.cpp, parse_vrrp.cpp).
void parseScript(const Node& node, VrrpModel& model, ParseContext& ctx);
void parseTrackFile(const Node& node, VrrpModel& model, ParseContext& ctx);
void parseTrackProcess(const Node& node, VrrpModel& model, ParseContext& ctx);
void parseSyncGroup(const Node& node, VrrpModel& model, ParseContext& ctx);
void parseTrackGroup(const Node& node, VrrpModel& model, ParseContext& ctx);
void parseInstance(const Node& node, VrrpModel& model, ParseContext& ctx);

// The name of a named block (`vrrp_script NAME {`), or nullopt after
// reporting a missing block, a missing name or a name defined before.
// `existing` returns the position of an earlier definition, if any.
template <class Find>
std::optional<std::string> blockName(const Node& node, ParseContext& ctx, Find existing) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 1)) {
    return std::nullopt;
  }
  const Token& name = node.args[0];
  if (const SourcePos* before = existing(name.text)) {
    ctx.error(name.pos, node.name() + " " + parse::quoted(name.text) + " is already defined at " +
                            before->format());
    return std::nullopt;
  }
  return name.text;
}

template <class T>
const SourcePos* findPos(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) {
      return &item.pos;
    }
  }
  return nullptr;
}

// Reads a named block (`vrrp_script NAME { ... }`) into a new T through its
// keyword table; nullopt after reporting a missing block or name, or a name
// already used by one of `existing`.
template <class T>
std::optional<T> readNamedBlock(const Node& node, const std::vector<T>& existing,
                                const KeywordTable<T>& table, ParseContext& ctx) {
  auto name = blockName(node, ctx, [&](const std::string& n) { return findPos(existing, n); });
  if (!name) {
    return std::nullopt;
  }
  T item;
  item.name = *name;
  item.pos = node.pos();
  table.apply(node.children, item, ctx);
  return item;
}

// `track_* { NAME [weight N] [reverse|noreverse] ... }` into `out`.
void parseTrackBlock(const Node& node, int32_t maxWeight, std::vector<TrackRef>& out,
                     ParseContext& ctx);
// `NAME { NAME ... }`-style list blocks (sync group `group`, track_group).
void parseNameList(const Node& node, std::vector<NameRef>& out, ParseContext& ctx);

// `weight N [reverse]` as written on a vrrp_script, track_file or
// vrrp_track_process line.
bool parseWeight(const Node& node, int64_t maxWeight, int64_t& weight, bool& reverse,
                 ParseContext& ctx);

// Keywords shared by vrrp_instance and vrrp_sync_group: notify scripts,
// tracking blocks, smtp_alert. T has `notify` and `tracking` members.
template <class T>
void addTrackingKeywords(KeywordTable<T>& t) {
  auto track = [](std::vector<TrackRef> TrackingSet::*list, int32_t maxWeight) {
    return [list, maxWeight](const Node& node, T& target, ParseContext& ctx) {
      parseTrackBlock(node, maxWeight, target.tracking.*list, ctx);
    };
  };
  t.on("track_interface", track(&TrackingSet::interfaces, kMaxScriptWeight))
      .on("track_script", track(&TrackingSet::scripts, kMaxScriptWeight))
      .on("track_file", track(&TrackingSet::files, kMaxFileWeight))
      .on("track_process", track(&TrackingSet::processes, kMaxFileWeight))
      .unsupported({"track_bfd"}, "vigil has no BFD");
}

template <class T>
void addNotifyKeywords(KeywordTable<T>& t) {
  auto script = [](std::optional<ScriptCommand> NotifyScripts::*member) {
    return parse::scriptInto<T>([member](T & target) -> auto& { return target.notify.*member; });
  };
  t.on("notify_master", script(&NotifyScripts::master))
      .on("notify_backup", script(&NotifyScripts::backup))
      .on("notify_fault", script(&NotifyScripts::fault))
      .on("notify_stop", script(&NotifyScripts::stop))
      .on("notify", script(&NotifyScripts::any))
      .on("notify_deleted", [](const Node& node, T& target, ParseContext& ctx) {
        if (!parse::args(node, ctx, 0, 3)) {
          return;
        }
        target.notify.deleted = true;
        if (!node.args.empty()) {
          target.notify.deletedScript = parse::scriptCommand(node, ctx);
        }
      });
}

// vrrp_instance keywords about addresses: source, peers, multicast group,
// authentication, VIPs, routes and rules (parse_vrrp_instance_addr.cpp).
void addInstanceAddressKeywords(KeywordTable<VrrpInstance>& t);

// Addresses, routes and rules (parse_vrrp_address.cpp). `block` names the
// list block for messages; static entries accept track_group, virtual ones
// no_track (and, for VIPs, use_vmac).
enum class AddressUse { Virtual, Static };
std::optional<VirtualAddress> parseAddress(const Node& entry, std::string_view block,
                                           AddressUse use, ParseContext& ctx);
std::optional<VirtualRoute> parseRoute(const Node& entry, std::string_view block, AddressUse use,
                                       ParseContext& ctx);
std::optional<VirtualRule> parseRule(const Node& entry, std::string_view block, AddressUse use,
                                     ParseContext& ctx);

}  // namespace vigil::config::vrrp
