#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ipvs/model.h"
#include "ipvs/stats.h"

namespace vigil::ipvs {

// An op the backend could not apply, and why (the errno the kernel gave).
struct OpFailure {
  Op op;
  Error error;
};

// What one apply() did. Every op is attempted in order; a failed op does not
// stop the ones after it (a later sync() retries whatever is still missing).
struct ApplyReport {
  size_t attempted = 0;
  std::vector<OpFailure> failures;

  bool ok() const { return failures.empty(); }
  size_t applied() const { return attempted - failures.size(); }
  // Ok, or the first failure with a count of the rest.
  Status status() const;
};

// A backend that holds an IPVS table: the kernel (genetlink), the userspace
// engine, or memory. The control side never branches on which one it has.
class Dataplane {
 public:
  virtual ~Dataplane() = default;

  // The table as it is now, canonical as model.h describes.
  virtual Result<IpvsState> read() = 0;
  // Applies the ops in order; see ApplyReport.
  virtual ApplyReport apply(const std::vector<Op>& ops) = 0;
  // "memory", "kernel", ... for logs and status.
  virtual std::string_view name() const = 0;
  // The counters of every service and destination, for metrics. By default
  // (a backend that counts nothing) every one read() reports, at zero.
  virtual Result<IpvsStats> readStats();
};

// What one sync() did: how many ops it handed to the backend and which failed.
struct SyncReport {
  size_t opsIssued = 0;
  std::vector<OpFailure> failures;
  Status readStatus;  // a failed read() issues no ops

  bool ok() const { return readStatus.ok() && failures.empty(); }
  // Ok, the read error, or the first op failure with a count of the rest.
  Status status() const;
};

// Brings the backend to `desired`: read, reconcile, apply only the
// difference. Syncing the same desired state twice issues no ops the second
// time.
SyncReport sync(Dataplane& dataplane, const IpvsState& desired);

}  // namespace vigil::ipvs
