#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/json_writer.h"
#include "ipvs/dataplane.h"
#include "ipvs/stats.h"

namespace vigil::check {

// Reads the dataplane's traffic counters every `interval` for the check
// worker's snapshot (and so /metrics and vigilctl ipvs --stats). It runs in
// the check worker, never near VRRP timing; a kernel read costs one netlink
// dump per service, so it is periodic rather than per snapshot, and it
// limits itself: each read is timed, and the next one starts no sooner than
// nextPollDelay() after it (at most 1/kCostFactor of the worker's time goes
// to reading counters, however large the table; issue 5).
class StatsPoller {
 public:
  static constexpr Duration kDefaultInterval = std::chrono::seconds(2);
  // A read that took d is followed by at least kCostFactor * d without one.
  static constexpr int kCostFactor = 20;

  // `onChange` runs after a read that changed the counters or the error
  // (the snapshot is then stale). The first read is on the loop's next turn.
  StatsPoller(EventLoop& loop, ipvs::Dataplane& dataplane, std::function<void()> onChange,
              Duration interval = kDefaultInterval);
  ~StatsPoller();
  StatsPoller(const StatsPoller&) = delete;
  StatsPoller& operator=(const StatsPoller&) = delete;

  // Reads now, or, when the last read was too recent for its cost (see
  // nextPollDelay()), as soon as that allows.
  void readNow();

  const std::optional<ipvs::IpvsStats>& last() const { return last_; }
  uint64_t reads() const { return reads_; }
  uint64_t failures() const { return failures_; }
  // How long the last read took, and the delay from its start to the next.
  Duration lastDuration() const { return lastDuration_; }
  Duration currentInterval() const;

  // The "stats" object of the snapshot's "dataplane": every service and
  // destination of the last read, with the weight and forwarding method
  // `applied` holds for it (see doc/monitoring.md). With `appliedVersion`
  // (DataplaneSync::appliedChanges()) the per-destination part is rendered
  // again only when the counters or that version changed since the last
  // write: at 1,000 x 10 it is most of the check worker's snapshot, which is
  // rebuilt on every health change and every kSnapshotMaxAge. Without it,
  // every write renders it.
  void write(JsonWriter& out, const ipvs::IpvsState& applied,
             std::optional<uint64_t> appliedVersion = std::nullopt) const;
  // write() in parts, for a snapshot sent as slots (CheckWorker): the
  // fields before "services" into the object open in `out`, and the
  // "services" array's text, rendered again as write() says.
  void writeFields(JsonWriter& out) const;
  const std::string& services(const ipvs::IpvsState& applied,
                              std::optional<uint64_t> appliedVersion) const;
  // How many times the per-destination part was rendered: a text services()
  // returned is unchanged while this is.
  uint64_t renders() const { return renders_; }

 private:
  void poll();
  std::string renderServices(const ipvs::IpvsState& applied) const;

  EventLoop& loop_;
  ipvs::Dataplane& dataplane_;
  std::function<void()> onChange_;
  Duration interval_;
  std::unique_ptr<Timer> timer_;
  std::optional<TimePoint> lastStart_;
  Duration lastDuration_ = Duration::zero();
  std::optional<ipvs::IpvsStats> last_;
  std::string lastError_;
  uint64_t reads_ = 0;
  uint64_t failures_ = 0;
  uint64_t countersVersion_ = 0;  // up when last_ changes
  // The "services" array of the last write() and what it was rendered from.
  mutable std::string rendered_;
  mutable std::optional<std::pair<uint64_t, uint64_t>> renderedFrom_;
  mutable uint64_t renders_ = 0;
};

// The delay from the start of one counter read to the start of the next: the
// configured `interval`, or kCostFactor times what the last read took
// (`lastDuration`) when that is longer, so small tables keep the configured
// interval and a table whose read takes 100 ms is read every 2 s at most.
Duration nextPollDelay(Duration interval, Duration lastDuration);
// The least delay from a read's start to an on-demand one (readNow()).
Duration minPollSpacing(Duration lastDuration);

// The counters of `stats` as JSON fields of the object open in `out`
// (connections, in_packets, ..., cps, in_pps, ...).
void writeTraffic(JsonWriter& out, const ipvs::TrafficCounters& traffic);

}  // namespace vigil::check
