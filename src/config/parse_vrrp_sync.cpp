// vrrp_sync_group and track_group.
#include "config/parse_vrrp_internal.h"

namespace vigil::config::vrrp {
namespace {

using parse::flagInto;
using Group = VrrpSyncGroup;

const KeywordTable<Group>& syncGroupTable() {
  static const KeywordTable<Group> table = [] {
    KeywordTable<Group> t("vrrp_sync_group");
    t.on("group",
         [](const Node& node, Group& g, ParseContext& ctx) { parseNameList(node, g.members, ctx); })
        .on("notify_priority_changes",
            flagInto<Group>([](Group & g) -> auto& { return g.notifyPriorityChanges; }))
        .on("smtp_alert", flagInto<Group>([](Group & g) -> auto& { return g.smtpAlert; }))
        .on("global_tracking", flagInto<Group>([](Group & g) -> auto& { return g.globalTracking; }))
        .on("sync_group_tracking_weight",
            flagInto<Group>([](Group & g) -> auto& { return g.syncGroupTrackingWeight; }));
    addNotifyKeywords(t);
    addTrackingKeywords(t);
    return t;
  }();
  return table;
}

const KeywordTable<TrackGroup>& trackGroupTable() {
  static const KeywordTable<TrackGroup> table = [] {
    KeywordTable<TrackGroup> t("track_group");
    t.on("group", [](const Node& node, TrackGroup& g, ParseContext& ctx) {
      parseNameList(node, g.members, ctx);
    });
    return t;
  }();
  return table;
}

}  // namespace

void parseSyncGroup(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<Group> parsed = readNamedBlock(node, model.syncGroups, syncGroupTable(), ctx);
  if (!parsed) {
    return;
  }
  Group& group = *parsed;
  if (group.globalTracking) {
    ctx.warning(node.pos(),
                "'global_tracking' is deprecated; put track_* blocks on the vrrp_sync_group");
  }
  model.syncGroups.push_back(std::move(group));
}

void parseTrackGroup(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<TrackGroup> parsed =
      readNamedBlock(node, model.trackGroups, trackGroupTable(), ctx);
  if (!parsed) {
    return;
  }
  TrackGroup& group = *parsed;
  model.trackGroups.push_back(std::move(group));
}

}  // namespace vigil::config::vrrp
