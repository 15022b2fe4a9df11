#pragma once

#include <vector>

#include "core/result.h"
#include "ipvs/model.h"

namespace vigil::ipvs {

// The ops that turn `current` into `desired`, fewest first:
// - nothing when they are equal;
// - a changed scheduler, flag, timeout, netmask or engine is one EditService,
//   a changed forwarding, weight, threshold or tunnel one EditDestination
//   (never delete + add, which would drop the service's connections);
// - a service that goes away is one DeleteService (its destinations go with
//   it); a new service is AddService followed by its AddDestinations.
// Services come in key order; within a service: edit, adds, edits, then
// deletes, so a service never goes without destinations while one is replaced.
std::vector<Op> reconcile(const IpvsState& desired, const IpvsState& current);

// Applies one op to a table with the kernel's rules: adding what exists
// fails with EEXIST, editing or deleting what does not with ENOENT (ESRCH for
// a missing service of a destination op); `state` is unchanged on failure.
Status applyOp(IpvsState& state, const Op& op);

}  // namespace vigil::ipvs
