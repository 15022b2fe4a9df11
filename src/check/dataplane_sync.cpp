#include "check/dataplane_sync.h"

#include <algorithm>
#include <set>
#include <variant>

#include "check/desired_state.h"
#include "core/log.h"
#include "ipvs/expand.h"
#include "ipvs/reconcile.h"

namespace vigil::check {
namespace {

// Whether every destination of `vs` (real servers and sorry server) has its
// own key, so one real server's change is exactly one destination.
bool distinctDestinations(const config::VirtualServer& vs) {
  std::set<ipvs::DestinationKey> seen;
  for (const config::RealServer& rs : vs.realServers) {
    if (!seen.insert(ipvs::destinationKey(rs)).second) return false;
  }
  return !vs.sorryServer || !seen.contains(ipvs::destinationKey(*vs.sorryServer));
}

}  // namespace

ipvs::IpvsState ownedPart(const ipvs::IpvsState& table, const ServiceKeys& owned) {
  ipvs::IpvsState part;
  for (const auto& [key, entry] : table.services) {
    if (owned.contains(key)) part.services.emplace(key, entry);
  }
  return part;
}

ServiceKeys ownedAfter(const ServiceKeys& owned, const ServiceKeys& named) {
  ServiceKeys after = owned;
  after.insert(named.begin(), named.end());
  return after;
}

void DataplaneSync::reset(const config::LvsModel& lvs) {
  if (ownedFile_ && !ownedFileRead_) {
    ownedFileRead_ = true;
    Result<ServiceKeys> left = ownedFile_->load();
    if (left.ok()) {
      persisted_ = *left;
      owned_ = ownedAfter(owned_, *left);
    } else {
      log(LogLevel::Warning, "dataplane: services left by an earlier run are not known: {}",
          left.error().describe());
    }
  }
  index(lvs);
  needFull_ = true;
}

void DataplaneSync::reload(const config::LvsModel& lvs) {
  // syncedQuorumUp_ is per virtual server of the old file; the reconcile
  // rebuilds every service, so it starts over.
  index(lvs);
  needReconcile_ = true;
}

void DataplaneSync::index(const config::LvsModel& lvs) {
  changed_.clear();
  keys_.clear();
  namedBy_.clear();
  ServiceKeys named;
  for (size_t s = 0; s < lvs.virtualServers.size(); ++s) {
    keys_.push_back(ipvs::serviceKeys(lvs.virtualServers[s], lvs));
    for (const ipvs::ServiceKey& key : keys_.back()) {
      namedBy_[key].push_back(s);
      named.insert(key);
    }
  }
  owned_ = ownedAfter(owned_, named);
  perDestination_.assign(lvs.virtualServers.size(), false);
  for (size_t s = 0; s < lvs.virtualServers.size(); ++s) {
    perDestination_[s] =
        distinctDestinations(lvs.virtualServers[s]) &&
        std::all_of(keys_[s].begin(), keys_[s].end(),
                    [this](const ipvs::ServiceKey& key) { return namedBy_[key].size() == 1; });
  }
  syncedQuorumUp_.assign(lvs.virtualServers.size(), false);
  persist(owned_);
}

ServiceKeys DataplaneSync::unnamedOwned() const {
  ServiceKeys unnamed;
  for (const ipvs::ServiceKey& key : owned_) {
    if (!namedBy_.contains(key)) unnamed.insert(key);
  }
  return unnamed;
}

void DataplaneSync::persist(const ServiceKeys& keys) {
  if (!ownedFile_ || keys == persisted_) return;
  Status saved = ownedFile_->save(keys);
  if (!saved.ok()) {
    log(LogLevel::Warning, "dataplane: cannot record the services vigil owns: {}",
        saved.error().describe());
    return;
  }
  persisted_ = keys;
}

void DataplaneSync::markServer(size_t vs, size_t rs) { changed_.emplace_back(vs, rs); }

ipvs::SyncReport DataplaneSync::sync(const config::LvsModel& lvs,
                                     const std::vector<ServiceState>& health) {
  if (needFull_) return full(lvs, health);
  if (needReconcile_) {
    ++reloadSyncs_;
    return reconcileApplied(lvs, health);
  }
  if (changed_.empty()) return {};
  return incremental(lvs, health);
}

ipvs::SyncReport DataplaneSync::full(const config::LvsModel& lvs,
                                     const std::vector<ServiceState>& health) {
  ++fullSyncs_;
  changed_.clear();
  Result<ipvs::IpvsState> current = dataplane_.read();
  if (!current.ok()) {
    ipvs::SyncReport report;
    report.readStatus = current.error();
    return report;
  }
  applied_ = std::move(*current);
  ++membershipChanges_;
  ++appliedChanges_;
  // An unnamed service the table no longer holds was deleted by someone:
  // it is not vigil's any more (were it added again, it would be theirs).
  for (const ipvs::ServiceKey& key : unnamedOwned()) {
    if (!applied_.services.contains(key)) owned_.erase(key);
  }
  return reconcileApplied(lvs, health);
}

ipvs::SyncReport DataplaneSync::reconcileApplied(const config::LvsModel& lvs,
                                                 const std::vector<ServiceState>& health) {
  changed_.clear();
  needReconcile_ = false;
  ipvs::SyncReport report;
  std::vector<ipvs::Op> ops =
      ipvs::reconcile(desiredState(lvs, health), ownedPart(applied_, owned_));
  if (!ops.empty()) {
    ipvs::ApplyReport result = dataplane_.apply(ops);
    report.opsIssued = result.attempted;
    report.failures = std::move(result.failures);
    record(ops, report.failures);
  }
  needFull_ = !report.ok();
  for (size_t s = 0; s < health.size() && s < syncedQuorumUp_.size(); ++s) {
    syncedQuorumUp_[s] = health[s].quorumUp();
  }
  persist(owned_);  // full() may have disowned services someone deleted
  return report;
}

void DataplaneSync::record(const std::vector<ipvs::Op>& ops,
                           const std::vector<ipvs::OpFailure>& failures) {
  // apply() reports failures in op order, so one pass pairs them up.
  size_t failed = 0;
  for (const ipvs::Op& op : ops) {
    if (failed < failures.size() && failures[failed].op == op) {
      ++failed;
      continue;
    }
    (void)ipvs::applyOp(applied_, op);
    ++appliedChanges_;
    if (!std::holds_alternative<ipvs::EditService>(op) &&
        !std::holds_alternative<ipvs::EditDestination>(op)) {
      ++membershipChanges_;
    }
    if (const auto* deleted = std::get_if<ipvs::DeleteService>(&op)) {
      if (!namedBy_.contains(deleted->key)) owned_.erase(deleted->key);
    }
  }
  persist(owned_);
}

ipvs::ApplyReport DataplaneSync::clear() {
  std::vector<ipvs::Op> ops;
  for (const auto& [key, entry] : applied_.services) {
    if (owned_.contains(key)) ops.push_back(ipvs::DeleteService{key});
  }
  if (ops.empty()) return {};
  ipvs::ApplyReport report = dataplane_.apply(ops);
  record(ops, report.failures);
  // What could not be deleted stays vigil's, named or not: the next run
  // may have another configuration.
  ServiceKeys left = unnamedOwned();
  for (const auto& [key, entry] : applied_.services) {
    if (owned_.contains(key)) left.insert(key);
  }
  persist(left);
  needFull_ = true;
  return report;
}

ipvs::SyncReport DataplaneSync::incremental(const config::LvsModel& lvs,
                                            const std::vector<ServiceState>& health) {
  ++incrementalSyncs_;
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  // Virtual servers rebuilt whole: quorum moved (sorry server, every
  // destination), shared services or duplicate destinations.
  std::set<size_t> whole;
  for (const auto& [s, r] : changed_) {
    bool known = std::all_of(keys_[s].begin(), keys_[s].end(), [this](const ipvs::ServiceKey& k) {
      return applied_.services.contains(k);
    });
    if (!perDestination_[s] || !known || health[s].quorumUp() != syncedQuorumUp_[s]) {
      whole.insert(s);
    }
  }
  ipvs::IpvsState desired;
  ipvs::IpvsState current;
  for (size_t s : whole) rebuildService(lvs, health, s, desired);
  for (const auto& [key, entry] : desired.services) {
    if (auto it = applied_.services.find(key); it != applied_.services.end()) {
      current.services.emplace(key, it->second);
    }
  }
  std::vector<ipvs::Op> ops = ipvs::reconcile(desired, current);
  for (const auto& [s, r] : changed_) {
    if (!whole.contains(s)) serverOps(lvs, health, s, r, ops);
  }
  for (const auto& [s, r] : changed_) syncedQuorumUp_[s] = health[s].quorumUp();
  changed_.clear();

  ipvs::SyncReport report;
  if (ops.empty()) return report;
  ipvs::ApplyReport applied = dataplane_.apply(ops);
  report.opsIssued = ops.size();
  report.failures = std::move(applied.failures);
  record(ops, report.failures);
  // A refusal may mean the backend holds something else than applied_
  // (changed behind vigil's back): read it on the next sync.
  if (!report.ok()) needFull_ = true;
  return report;
}

void DataplaneSync::rebuildService(const config::LvsModel& lvs,
                                   const std::vector<ServiceState>& health, size_t vs,
                                   ipvs::IpvsState& desired) const {
  for (const ipvs::ServiceKey& key : keys_[vs]) {
    if (desired.services.contains(key)) continue;
    // As desiredState(): the first virtual server naming the service gives
    // its scheduler; the destinations of later ones join without replacing.
    for (size_t s : namedBy_.at(key)) {
      ipvs::ServiceEntry entry = desiredEntry(lvs.virtualServers[s], health[s]);
      auto [it, inserted] = desired.services.try_emplace(key, entry);
      if (!inserted)
        it->second.destinations.insert(entry.destinations.begin(), entry.destinations.end());
    }
  }
}

void DataplaneSync::serverOps(const config::LvsModel& lvs, const std::vector<ServiceState>& health,
                              size_t vs, size_t rs, std::vector<ipvs::Op>& ops) const {
  const config::VirtualServer& config = lvs.virtualServers[vs];
  const ipvs::DestinationKey destKey = ipvs::destinationKey(config.realServers[rs]);
  const std::optional<ipvs::Destination> wanted = desiredDestination(config, health[vs], rs);
  for (const ipvs::ServiceKey& key : keys_[vs]) {
    const auto& destinations = applied_.services.at(key).destinations;
    auto it = destinations.find(destKey);
    if (it == destinations.end()) {
      if (wanted) ops.push_back(ipvs::AddDestination{key, destKey, *wanted});
    } else if (!wanted) {
      ops.push_back(ipvs::DeleteDestination{key, destKey});
    } else if (!(it->second == *wanted)) {
      ops.push_back(ipvs::EditDestination{key, destKey, *wanted});
    }
  }
}

}  // namespace vigil::check
