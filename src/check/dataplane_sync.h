#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "check/owned_services_file.h"
#include "check/service_state.h"
#include "config/model_lvs.h"
#include "ipvs/dataplane.h"
#include "ipvs/model.h"

// Keeps a dataplane in step with the health of the virtual servers, and
// does it in proportion to what changed (STYLE.md 9: compute the diff,
// apply only the diff):
//
//  - after start or a failed apply, the next sync() is a full one: read the
//    table, reconcile its owned part (see below) against desiredState(),
//    apply;
//  - after a reload (reload()), the next sync() reconciles desiredState()
//    against applied() without a read: only what the new file changed (a
//    service added or removed, a real server added, removed or edited) is
//    an op; a full sync is still owed if the last one failed;
//  - applied() is the table as the backend holds it by what it accepted:
//    the last read plus every op that succeeded since (a refused op is left
//    out), so the snapshot and shutdown never need a read;
//  - otherwise sync() trusts what it applied last (the table it holds is
//    what the backend accepted) and touches only the virtual servers and
//    real servers marked since: a real server whose service kept its
//    quorum is one destination op, without reading the table or building
//    the rest of the desired state; a quorum change (the sorry server
//    swaps in or out) rebuilds that one virtual server's services.
//
// A change made behind vigil's back (ipvsadm) to a service vigil owns is
// therefore repaired at the next full sync (start, failure), not at every
// health change or reload.
//
// vigil owns the services the configuration names, and those a previous
// configuration named until they are deleted (ownedAfter()): a service in
// the table that the configuration names is adopted (only differences are
// applied), and one it does not name, an operator's or another tool's, is
// never touched, not at start, reload or clear(). `lvs_flush` empties the
// whole table before the first sync (cli/vigild/kernel_lvs_globals.h).
//
// Everything vigil owns, named or not (a service a reload dropped whose
// delete failed, or one a stop could not delete), is kept in an
// OwnedServicesFile when one is given, and read back by the first reset():
// a check worker restarted by the supervisor after a crash, or the next
// vigild, still owns those services, and deletes the ones its configuration
// no longer names. (Saving only the unnamed ones would lose a service whose
// worker died before a new configuration dropped it.) A full sync forgets the
// unnamed ones its read no longer finds (gone, so no longer vigil's).
namespace vigil::check {

using ServiceKeys = std::set<ipvs::ServiceKey>;

// The part of `table` vigil may change: the services in `owned`.
ipvs::IpvsState ownedPart(const ipvs::IpvsState& table, const ServiceKeys& owned);

// What vigil owns once a configuration naming `named` is loaded over one
// that left it owning `owned`: both (those only `owned` holds are deleted by
// the next sync, and stop being owned when that succeeds).
ServiceKeys ownedAfter(const ServiceKeys& owned, const ServiceKeys& named);

class DataplaneSync {
 public:
  // Without `ownedFile` ownership lives as long as this object.
  explicit DataplaneSync(ipvs::Dataplane& dataplane,
                         std::optional<OwnedServicesFile> ownedFile = std::nullopt)
      : dataplane_(dataplane), ownedFile_(std::move(ownedFile)) {}

  // A new configuration: indexes its services; the next sync() is full.
  void reset(const config::LvsModel& lvs);
  // A reloaded configuration, health carried over by the caller: indexes
  // its services; the next sync() reconciles against applied() (see above).
  void reload(const config::LvsModel& lvs);
  // Real server `rs` of virtual server `vs` changed health or weight.
  void markServer(size_t vs, size_t rs);

  // Brings the dataplane to the desired state of `lvs` under `health` (the
  // model and states reset() was given, changed only as marked since).
  ipvs::SyncReport sync(const config::LvsModel& lvs, const std::vector<ServiceState>& health);

  // Deletes every service vigil owns that applied() holds, one op each (the
  // backend drops their destinations with them), without reading the
  // table: shutdown must be quick, and what vigil did not install is not
  // its to remove.
  ipvs::ApplyReport clear();

  // The table the backend holds as far as vigil knows (see above); empty
  // until the first read succeeded.
  const ipvs::IpvsState& applied() const { return applied_; }
  const ServiceKeys& owned() const { return owned_; }
  uint64_t fullSyncs() const { return fullSyncs_; }
  uint64_t incrementalSyncs() const { return incrementalSyncs_; }
  uint64_t reloadSyncs() const { return reloadSyncs_; }
  // Goes up whenever the set of services or destinations in applied() may
  // have changed (an add or delete the backend accepted, a full read);
  // unchanged by weight and scheduler edits. What reads per-destination
  // counters needs a fresh read only when this moved (StatsPoller writes
  // weights from applied()).
  uint64_t membershipChanges() const { return membershipChanges_; }
  // Goes up whenever applied() may have changed at all (any accepted op, a
  // full read): a cache of something rendered from applied() keys on it.
  uint64_t appliedChanges() const { return appliedChanges_; }

 private:
  void index(const config::LvsModel& lvs);
  // Owned services the configuration does not name.
  ServiceKeys unnamedOwned() const;
  // Writes `keys` to ownedFile_ when they differ from what it holds.
  void persist(const ServiceKeys& keys);
  ipvs::SyncReport full(const config::LvsModel& lvs, const std::vector<ServiceState>& health);
  // Reconciles the whole desired state against applied_ and applies.
  ipvs::SyncReport reconcileApplied(const config::LvsModel& lvs,
                                    const std::vector<ServiceState>& health);
  ipvs::SyncReport incremental(const config::LvsModel& lvs,
                               const std::vector<ServiceState>& health);
  // The services of virtual server `vs` as desiredState() builds them
  // (merged with every other virtual server naming the same service).
  void rebuildService(const config::LvsModel& lvs, const std::vector<ServiceState>& health,
                      size_t vs, ipvs::IpvsState& desired) const;
  // Applies `ops` to `applied_` except those the backend refused.
  void record(const std::vector<ipvs::Op>& ops, const std::vector<ipvs::OpFailure>& failures);
  void serverOps(const config::LvsModel& lvs, const std::vector<ServiceState>& health, size_t vs,
                 size_t rs, std::vector<ipvs::Op>& ops) const;

  ipvs::Dataplane& dataplane_;
  bool needFull_ = true;
  bool needReconcile_ = false;  // a reload since the last sync
  ipvs::IpvsState applied_;     // what the backend holds, as far as we know
  ServiceKeys owned_;           // see ownedAfter()
  std::optional<OwnedServicesFile> ownedFile_;
  bool ownedFileRead_ = false;
  ServiceKeys persisted_;                            // what ownedFile_ holds
  std::vector<std::vector<ipvs::ServiceKey>> keys_;  // per virtual server
  std::map<ipvs::ServiceKey, std::vector<size_t>> namedBy_;
  // Per virtual server: a real server's change is one destination op (its
  // services are its own and its destinations are distinct).
  std::vector<bool> perDestination_;
  std::vector<bool> syncedQuorumUp_;
  std::vector<std::pair<size_t, size_t>> changed_;  // (vs, rs) since the last sync
  uint64_t fullSyncs_ = 0;
  uint64_t incrementalSyncs_ = 0;
  uint64_t reloadSyncs_ = 0;
  uint64_t membershipChanges_ = 0;
  uint64_t appliedChanges_ = 0;
};

}  // namespace vigil::check
