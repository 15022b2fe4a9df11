#include "ipvs/reconcile.h"

#include <cerrno>

namespace vigil::ipvs {
namespace {

using Destinations = std::map<DestinationKey, Destination>;

void addService(std::vector<Op>& ops, const ServiceKey& key, const ServiceEntry& entry) {
  ops.push_back(AddService{key, entry.service});
  for (const auto& [destKey, dest] : entry.destinations) {
    ops.push_back(AddDestination{key, destKey, dest});
  }
}

// Adds, then edits, then deletes: while a destination is replaced by
// another the service keeps one to send new connections to.
void diffDestinations(std::vector<Op>& ops, const ServiceKey& service, const Destinations& desired,
                      const Destinations& current) {
  for (const auto& [key, dest] : desired) {
    if (!current.contains(key)) {
      ops.push_back(AddDestination{service, key, dest});
    }
  }
  for (const auto& [key, dest] : desired) {
    auto it = current.find(key);
    if (it != current.end() && !(it->second == dest)) {
      ops.push_back(EditDestination{service, key, dest});
    }
  }
  for (const auto& [key, dest] : current) {
    if (!desired.contains(key)) {
      ops.push_back(DeleteDestination{service, key});
    }
  }
}

void diffService(std::vector<Op>& ops, const ServiceKey& key, const ServiceEntry& desired,
                 const ServiceEntry& current) {
  if (!(desired.service == current.service)) {
    ops.push_back(EditService{key, desired.service});
  }
  diffDestinations(ops, key, desired.destinations, current.destinations);
}

Error missing(int code, const Op& op) { return Error{code, "cannot " + toString(op)}; }

struct Applier {
  IpvsState& state;
  const Op& op;

  Status operator()(const AddService& o) const {
    if (!state.services.try_emplace(o.key, ServiceEntry{o.service, {}}).second) {
      return missing(EEXIST, op);
    }
    return {};
  }
  Status operator()(const EditService& o) const {
    auto it = state.services.find(o.key);
    if (it == state.services.end()) {
      return missing(ESRCH, op);
    }
    it->second.service = o.service;
    return {};
  }
  Status operator()(const DeleteService& o) const {
    if (state.services.erase(o.key) == 0) {
      return missing(ESRCH, op);
    }
    return {};
  }
  Status operator()(const AddDestination& o) const {
    Destinations* dests = destinationsOf(o.service);
    if (dests == nullptr) {
      return missing(ESRCH, op);
    }
    if (!dests->try_emplace(o.key, o.destination).second) {
      return missing(EEXIST, op);
    }
    return {};
  }
  Status operator()(const EditDestination& o) const {
    Destinations* dests = destinationsOf(o.service);
    if (dests == nullptr) {
      return missing(ESRCH, op);
    }
    auto it = dests->find(o.key);
    if (it == dests->end()) {
      return missing(ENOENT, op);
    }
    it->second = o.destination;
    return {};
  }
  Status operator()(const DeleteDestination& o) const {
    Destinations* dests = destinationsOf(o.service);
    if (dests == nullptr) {
      return missing(ESRCH, op);
    }
    if (dests->erase(o.key) == 0) {
      return missing(ENOENT, op);
    }
    return {};
  }

  Destinations* destinationsOf(const ServiceKey& key) const {
    auto it = state.services.find(key);
    return it == state.services.end() ? nullptr : &it->second.destinations;
  }
};

}  // namespace

std::vector<Op> reconcile(const IpvsState& desired, const IpvsState& current) {
  std::vector<Op> ops;
  auto want = desired.services.begin();
  auto have = current.services.begin();
  while (want != desired.services.end() || have != current.services.end()) {
    if (have == current.services.end() ||
        (want != desired.services.end() && want->first < have->first)) {
      addService(ops, want->first, want->second);
      ++want;
    } else if (want == desired.services.end() || have->first < want->first) {
      ops.push_back(DeleteService{have->first});
      ++have;
    } else {
      diffService(ops, want->first, want->second, have->second);
      ++want;
      ++have;
    }
  }
  return ops;
}

Status applyOp(IpvsState& state, const Op& op) { return std::visit(Applier{state, op}, op); }

}  // namespace vigil::ipvs
