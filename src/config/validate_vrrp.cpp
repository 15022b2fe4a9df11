// validateVrrp: per-instance resolution, then the checks that need the
// whole file (VRIDs, sync groups, tracking references, lvs_sync_daemon).
#include <map>
#include <tuple>
#include <unordered_map>

#include "config/parse_util.h"
#include "config/parsers.h"
#include "config/validate_vrrp_internal.h"

namespace vigil::config {
namespace vrrp {
namespace {

using parse::quoted;

template <class T>
std::unordered_map<std::string, T*> indexByName(std::vector<T>& items) {
  std::unordered_map<std::string, T*> out;
  for (T& item : items) {
    out.emplace(item.name, &item);
  }
  return out;
}

const UnicastPeer* sharedPeer(const VrrpInstance& a, const VrrpInstance& b) {
  for (const UnicastPeer& p : a.unicastPeers) {
    for (const UnicastPeer& q : b.unicastPeers) {
      if (p.address == q.address) {
        return &q;
      }
    }
  }
  return nullptr;
}

// Two instances with one VRID on one interface and family conflict when they
// would read each other's adverts: both multicast to the same group, or
// both unicast with a peer in common. Returns what to add to the message,
// or nullopt when they do not conflict.
std::optional<std::string> conflict(const VrrpInstance& earlier, const VrrpInstance& later) {
  if (!earlier.unicast && !later.unicast && earlier.mcastDst == later.mcastDst) {
    return "";
  }
  if (earlier.unicast && later.unicast) {
    if (const UnicastPeer* p = sharedPeer(earlier, later)) {
      return " with the same unicast peer " + p->address.toString();
    }
  }
  return std::nullopt;
}

// What stops instance `inst` having weighted tracking, or "" when nothing.
std::string weightBlocker(const VrrpInstance& inst,
                          const std::unordered_map<std::string, VrrpSyncGroup*>& groups) {
  if (inst.isAddressOwner()) {
    return "it is the address owner (priority 255)";
  }
  auto it = groups.find(inst.syncGroup);
  if (it != groups.end() && !it->second->syncGroupTrackingWeight && !it->second->globalTracking) {
    return "it is in vrrp_sync_group " + quoted(inst.syncGroup) +
           " (add 'sync_group_tracking_weight' there to allow weights)";
  }
  return "";
}

template <class T>
bool refsResolve(std::vector<TrackRef>& refs, const std::unordered_map<std::string, T*>& objects,
                 const char* keyword, const char* kind, ParseContext& ctx) {
  bool ok = true;
  for (const TrackRef& ref : refs) {
    if (objects.count(ref.name) == 0) {
      ctx.error(ref.pos,
                std::string("'") + keyword + "' entry " + quoted(ref.name) + " names no " + kind);
      ok = false;
    }
  }
  return ok;
}

struct TrackIndex {
  std::unordered_map<std::string, VrrpScript*> scripts;
  std::unordered_map<std::string, TrackFile*> files;
  std::unordered_map<std::string, TrackProcess*> processes;
  std::unordered_map<std::string, VrrpSyncGroup*> groups;
};

bool resolveRefs(TrackingSet& t, const TrackIndex& index, ParseContext& ctx) {
  bool a = refsResolve(t.scripts, index.scripts, "track_script", "vrrp_script", ctx);
  bool b = refsResolve(t.files, index.files, "track_file", "track_file", ctx);
  bool c = refsResolve(t.processes, index.processes, "track_process", "vrrp_track_process", ctx);
  // Scripts without a command were reported where defined and are ignored.
  std::erase_if(t.scripts, [&](const TrackRef& r) {
    auto it = index.scripts.find(r.name);
    return it != index.scripts.end() && it->second->script.empty();
  });
  return a && b && c;
}

// Weighted tracking on an address owner or a sync-group member: keepalived
// drops weighted scripts and zeroes other weights; so does vigil, saying so.
void restrictWeights(VrrpInstance& inst, const TrackIndex& index, ParseContext& ctx) {
  std::string why = weightBlocker(inst, index.groups);
  if (why.empty()) {
    return;
  }
  auto zero = [&](std::vector<TrackRef>& refs, const char* keyword, auto defaultWeight) {
    for (TrackRef& r : refs) {
      if (r.weight.value_or(defaultWeight(r)) != 0) {
        ctx.warning(r.pos, std::string("weight of '") + keyword + "' entry " + quoted(r.name) +
                               " is ignored: " + why);
        r.weight = 0;
      }
    }
  };
  std::erase_if(inst.tracking.scripts, [&](const TrackRef& r) {
    bool weighted = r.weight.value_or(index.scripts.at(r.name)->weight) != 0;
    if (weighted) {
      ctx.warning(r.pos, "weighted 'track_script' entry " + quoted(r.name) + " is ignored: " + why);
    }
    return weighted;
  });
  zero(inst.tracking.interfaces, "track_interface", [](const TrackRef&) { return int64_t{0}; });
  zero(inst.tracking.files, "track_file",
       [&](const TrackRef& r) { return index.files.at(r.name)->weight; });
  zero(inst.tracking.processes, "track_process",
       [&](const TrackRef& r) { return int64_t{index.processes.at(r.name)->weight}; });
}

void reportScriptless(const VrrpModel& model, ParseContext& ctx) {
  for (const VrrpScript& s : model.scripts) {
    if (s.script.empty()) {
      ctx.warning(s.pos, "vrrp_script " + quoted(s.name) +
                             " has no 'script'; it and the track_script entries naming it are "
                             "ignored");
    }
  }
}

}  // namespace

void checkDuplicateVrids(const VrrpModel& model, ParseContext& ctx) {
  std::map<std::tuple<std::string, int, int>, std::vector<const VrrpInstance*>> seen;
  for (const VrrpInstance& inst : model.instances) {
    if (inst.vrid == 0) {
      continue;
    }
    auto& bucket = seen[{inst.interface, inst.family, inst.vrid}];
    for (const VrrpInstance* earlier : bucket) {
      auto detail = conflict(*earlier, inst);
      if (!detail) {
        continue;
      }
      std::string where =
          inst.interface.empty() ? "without an interface" : "on interface " + inst.interface;
      ctx.error(inst.at.vrid, "VRID " + std::to_string(inst.vrid) + " is already used " + where +
                                  " for " + (inst.family == AF_INET6 ? "IPv6" : "IPv4") +
                                  " by vrrp_instance " + quoted(earlier->name) + " (" +
                                  earlier->pos.format() + ")" + *detail);
      break;
    }
    bucket.push_back(&inst);
  }
}

void checkSyncGroups(VrrpModel& model, ParseContext& ctx) {
  auto instances = indexByName(model.instances);
  std::unordered_map<std::string, const VrrpSyncGroup*> groupOf;
  for (const VrrpSyncGroup& group : model.syncGroups) {
    size_t valid = 0;
    for (const NameRef& member : group.members) {
      auto it = instances.find(member.name);
      if (it == instances.end()) {
        ctx.error(member.pos, "vrrp_sync_group " + quoted(group.name) + " names no vrrp_instance " +
                                  quoted(member.name));
        continue;
      }
      auto [prior, fresh] = groupOf.emplace(member.name, &group);
      if (!fresh) {
        ctx.error(member.pos, "vrrp_instance " + quoted(member.name) +
                                  " is already in vrrp_sync_group " + quoted(prior->second->name) +
                                  " (" + prior->second->pos.format() + ")");
        continue;
      }
      it->second->syncGroup = group.name;
      ++valid;
    }
    if (group.members.empty()) {
      ctx.warning(group.pos, "vrrp_sync_group " + quoted(group.name) +
                                 " has no 'group' members; it is ignored");
    } else if (valid == 1) {
      ctx.warning(group.pos, "vrrp_sync_group " + quoted(group.name) + " has only one member");
    }
  }
}

void checkTracking(VrrpModel& model, ParseContext& ctx) {
  reportScriptless(model, ctx);
  TrackIndex index{indexByName(model.scripts), indexByName(model.trackFiles),
                   indexByName(model.trackProcesses), indexByName(model.syncGroups)};
  for (VrrpSyncGroup& group : model.syncGroups) {
    resolveRefs(group.tracking, index, ctx);
  }
  for (VrrpInstance& inst : model.instances) {
    if (resolveRefs(inst.tracking, index, ctx)) {
      restrictWeights(inst, index, ctx);
    }
  }
}

void checkTrackGroups(const VrrpModel& model, ParseContext& ctx) {
  std::unordered_map<std::string, bool> groups;
  for (const TrackGroup& group : model.trackGroups) {
    groups.emplace(group.name, true);
    for (const NameRef& member : group.members) {
      if (model.findInstance(member.name) == nullptr) {
        ctx.error(member.pos, "track_group " + quoted(group.name) + " names no vrrp_instance " +
                                  quoted(member.name));
      }
    }
  }
  auto check = [&](const std::string& name, const SourcePos& pos) {
    if (!name.empty() && groups.count(name) == 0) {
      ctx.error(pos, "track_group " + quoted(name) + " is not defined");
    }
  };
  for (const auto& a : model.staticAddresses) {
    check(a.trackGroup, a.pos);
  }
  // A group's members track the interface of each entry (keepalived's
  // static track groups): an entry without one tracks nothing.
  for (const auto& r : model.staticRoutes) {
    check(r.trackGroup, r.pos);
    if (!r.trackGroup.empty() && r.dev.empty()) {
      ctx.warning(r.pos, "static route with track_group " + quoted(r.trackGroup) +
                             " has no dev: no interface is tracked for it");
    }
  }
  for (const auto& r : model.staticRules) {
    check(r.trackGroup, r.pos);
    if (!r.trackGroup.empty() && r.iif.empty()) {
      ctx.warning(r.pos, "static rule with track_group " + quoted(r.trackGroup) +
                             " has no iif: no interface is tracked for it");
    }
  }
}

void checkLvsSyncDaemon(Config& config, ParseContext& ctx) {
  auto& daemon = config.global.lvsSyncDaemon;
  for (const VrrpInstance& inst : config.vrrp.instances) {
    if (inst.lvsSyncDaemonInterface.empty()) {
      continue;
    }
    if (daemon) {
      ctx.warning(inst.lvsSyncDaemonInterfacePos,
                  "'lvs_sync_daemon_interface' is ignored: 'lvs_sync_daemon' is already set");
      continue;
    }
    daemon.emplace();
    daemon->interface = inst.lvsSyncDaemonInterface;
    daemon->vrrpInstance = inst.name;
    daemon->pos = daemon->vrrpInstancePos = inst.lvsSyncDaemonInterfacePos;
  }
  if (!daemon || daemon->vrrpInstance.empty()) {
    return;
  }
  const VrrpInstance* inst = config.vrrp.findInstance(daemon->vrrpInstance);
  if (inst == nullptr) {
    ctx.error(daemon->vrrpInstancePos,
              "'lvs_sync_daemon' names no vrrp_instance " + quoted(daemon->vrrpInstance));
  } else if (!daemon->syncIdSet) {
    daemon->syncId = inst->vrid;  // keepalived's default sync id
  }
}

}  // namespace vrrp

void validateVrrp(Config& config, ParseContext& ctx) {
  VrrpModel& model = config.vrrp;
  for (VrrpInstance& inst : model.instances) {
    vrrp::resolveInstance(inst, config.global, ctx);
  }
  vrrp::checkDuplicateVrids(model, ctx);
  vrrp::checkSyncGroups(model, ctx);
  vrrp::checkTracking(model, ctx);
  vrrp::checkTrackGroups(model, ctx);
  vrrp::checkLvsSyncDaemon(config, ctx);
}

}  // namespace vigil::config
