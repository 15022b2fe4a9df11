#include "ipvs/dataplane.h"

#include "ipvs/reconcile.h"

namespace vigil::ipvs {
namespace {

Status firstFailure(const std::vector<OpFailure>& failures) {
  if (failures.empty()) {
    return {};
  }
  const Error& first = failures.front().error;
  if (failures.size() == 1) {
    return first;
  }
  // The count goes after the system error text, not between the operation
  // and its strerror; the code is dropped so describe() does not repeat it.
  return Error{
      0, first.describe() + " (and " + std::to_string(failures.size() - 1) + " more failed ops)"};
}

}  // namespace

Status ApplyReport::status() const { return firstFailure(failures); }

Status SyncReport::status() const {
  if (!readStatus.ok()) {
    return readStatus;
  }
  return firstFailure(failures);
}

Result<IpvsStats> Dataplane::readStats() {
  Result<IpvsState> state = read();
  if (!state.ok()) {
    return state.error();
  }
  IpvsStats stats;
  for (const auto& [key, entry] : state->services) {
    ServiceStats& service = stats.services[key];
    for (const auto& [destKey, dest] : entry.destinations) {
      service.destinations[destKey] = DestinationStats{};
    }
  }
  return stats;
}

SyncReport sync(Dataplane& dataplane, const IpvsState& desired) {
  SyncReport report;
  Result<IpvsState> current = dataplane.read();
  if (!current.ok()) {
    report.readStatus = current.error();
    return report;
  }
  std::vector<Op> ops = reconcile(desired, *current);
  if (ops.empty()) {
    return report;
  }
  ApplyReport applied = dataplane.apply(ops);
  report.opsIssued = applied.attempted;
  report.failures = std::move(applied.failures);
  return report;
}

}  // namespace vigil::ipvs
