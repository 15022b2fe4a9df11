#include "monitor/smtp/smtp_alert_watcher.h"

namespace vigil::monitor::smtp {
namespace {

using nlohmann::json;

// The objects of snapshot[key] by their "name".
std::map<std::string, const json*> byName(const json& snapshot, const char* key) {
  std::map<std::string, const json*> out;
  if (!snapshot.is_object() || !snapshot.contains(key) || !snapshot[key].is_array()) return out;
  for (const json& item : snapshot[key]) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      out[item["name"].get<std::string>()] = &item;
    }
  }
  return out;
}

std::string stateOf(const json* object) {
  if (object == nullptr || !object->contains("state") || !(*object)["state"].is_string()) return {};
  return (*object)["state"].get<std::string>();
}

bool mailable(const std::string& state, bool noEmailFaults) {
  if (state == "MASTER" || state == "BACKUP") return true;
  return state == "FAULT" && !noEmailFaults;
}

// Records `state` for `name`; an event when it is new and worth a mail.
void noteVrrp(std::map<std::string, std::string>& seen, const std::string& name,
              const std::string& state, bool alert, bool noEmailFaults, AlertKind kind,
              std::vector<AlertEvent>& out) {
  if (state.empty()) return;
  auto [it, inserted] = seen.try_emplace(name, state);
  if (!inserted && it->second == state) return;
  it->second = state;
  if (alert && mailable(state, noEmailFaults)) out.push_back({kind, name, "", state});
}

// Records `up` under `key`; an event when it changed from a known value.
bool changed(std::map<std::string, bool>& seen, const std::string& key, bool up) {
  auto [it, inserted] = seen.try_emplace(key, up);
  if (inserted || it->second == up) return false;
  it->second = up;
  return true;
}

// "HTTP_GET 2 of 3": a checker by type and place in its real server.
std::string checkerName(const json& checker, size_t index, size_t count) {
  std::string type = checker.contains("type") && checker["type"].is_string()
                         ? checker["type"].get<std::string>()
                         : "checker";
  return type + " " + std::to_string(index + 1) + " of " + std::to_string(count);
}

// The check worker's "id" of a checker (what it probes and how), with its
// type; a snapshot without ids falls back to the checker's place.
std::string checkerIdentity(const json& checker, size_t index) {
  std::string type = checker.contains("type") && checker["type"].is_string()
                         ? checker["type"].get<std::string>()
                         : "checker";
  if (checker.contains("id") && checker["id"].is_string()) {
    return type + "|" + checker["id"].get<std::string>();
  }
  return type + "|@" + std::to_string(index);
}

}  // namespace

void AlertWatcher::noteCheckers(const std::string& service, const std::string& server,
                                const json& rs, bool alert, std::vector<AlertEvent>& out) {
  if (!rs.contains("checkers") || !rs["checkers"].is_array()) return;
  const json& checkers = rs["checkers"];
  // Only this server's checkers seen now are kept, so ids a reload retired
  // do not pile up.
  std::map<std::string, bool>& before = checkers_[service + "|" + server];
  std::map<std::string, bool> now;
  std::map<std::string, size_t> occurrences;  // identical checkers on one server
  for (size_t i = 0; i < checkers.size(); ++i) {
    const json& checker = checkers[i];
    if (!checker.is_object() || !checker.contains("up") || !checker["up"].is_boolean()) continue;
    const bool up = checker["up"].get<bool>();
    // By what it probes, not its place: a reload may reorder the checkers.
    std::string key = checkerIdentity(checker, i);
    key += "#" + std::to_string(occurrences[key]++);
    auto previous = before.find(key);
    now[key] = up;
    if (previous != before.end() && previous->second != up && alert) {
      out.push_back({AlertKind::Checker, server, service, up ? "UP" : "DOWN",
                     checkerName(checker, i, checkers.size())});
    }
  }
  before = std::move(now);
}

std::vector<AlertEvent> AlertWatcher::update(const config::Config& config, const json& vrrpSnapshot,
                                             const json& checkSnapshot) {
  std::vector<AlertEvent> out;
  vrrp(config, vrrpSnapshot, out);
  checks(config, checkSnapshot, out);
  return out;
}

void AlertWatcher::vrrp(const config::Config& config, const json& snapshot,
                        std::vector<AlertEvent>& out) {
  const config::GlobalDefs& global = config.global;
  const bool groupDefault = global.smtpAlertVrrp.value_or(global.smtpAlert);
  const auto groups = byName(snapshot, "sync_groups");
  for (const config::VrrpSyncGroup& group : config.vrrp.syncGroups) {
    auto it = groups.find(group.name);
    if (it == groups.end()) continue;
    noteVrrp(groups_, group.name, stateOf(it->second), group.smtpAlert.value_or(groupDefault),
             global.noEmailFaults, AlertKind::VrrpSyncGroup, out);
  }
  const auto instances = byName(snapshot, "instances");
  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    auto it = instances.find(instance.name);
    if (it == instances.end()) continue;
    noteVrrp(instances_, instance.name, stateOf(it->second), instance.smtpAlert,
             global.noEmailFaults, AlertKind::VrrpInstance, out);
  }
}

void AlertWatcher::checks(const config::Config& config, const json& snapshot,
                          std::vector<AlertEvent>& out) {
  const auto services = byName(snapshot, "virtual_servers");
  for (const config::VirtualServer& vs : config.lvs.virtualServers) {
    const std::string service = vs.describe();
    auto it = services.find(service);
    if (it == services.end()) continue;
    const json& live = *it->second;
    if (live.contains("quorum_up") && live["quorum_up"].is_boolean()) {
      const bool up = live["quorum_up"].get<bool>();
      if (changed(quorums_, service, up) && vs.smtpAlert) {
        out.push_back({AlertKind::Quorum, service, "", up ? "UP" : "DOWN"});
      }
    }
    if (!live.contains("real_servers") || !live["real_servers"].is_array()) continue;
    for (const json& rs : live["real_servers"]) {
      if (!rs.is_object() || !rs.contains("up") || !rs["up"].is_boolean()) continue;
      if (!rs.contains("address") || !rs["address"].is_string() || !rs.contains("port")) continue;
      const std::string address = rs["address"].get<std::string>();
      const uint32_t port = rs["port"].is_number_integer() ? rs["port"].get<uint32_t>() : 0;
      bool alert = false;
      for (const config::RealServer& configured : vs.realServers) {
        if (configured.address.toString() == address && configured.port == port) {
          alert = configured.smtpAlert;
        }
      }
      const std::string host =
          address.find(':') == std::string::npos ? address : "[" + address + "]";
      const std::string name = host + ":" + std::to_string(port);
      const bool up = rs["up"].get<bool>();
      const bool serverChanged = changed(realServers_, service + "|" + name, up);
      if (serverChanged && alert) {
        out.push_back({AlertKind::RealServer, name, service, up ? "UP" : "DOWN"});
      }
      noteCheckers(service, name, rs, alert && !serverChanged && !config.global.noCheckerEmails,
                   out);
    }
  }
}

}  // namespace vigil::monitor::smtp
