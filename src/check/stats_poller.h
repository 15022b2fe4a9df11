#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "check/json_writer.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "ipvs/dataplane.h"
#include "ipvs/stats.h"

namespace vigil::check {

// Reads the dataplane's traffic counters every `interval` for the check
// worker's snapshot (and so /metrics and vigilctl ipvs --stats). It runs in
// the check worker, never near VRRP timing; a kernel read costs one netlink
// dump per service, so it is periodic rather than per snapshot.
class StatsPoller {
 public:
  static constexpr Duration kDefaultInterval = std::chrono::seconds(2);

  // `onChange` runs after a read that changed the counters or the error
  // (the snapshot is then stale). The first read is on the loop's next turn.
  StatsPoller(EventLoop& loop, ipvs::Dataplane& dataplane, std::function<void()> onChange,
              Duration interval = kDefaultInterval);
  ~StatsPoller();
  StatsPoller(const StatsPoller&) = delete;
  StatsPoller& operator=(const StatsPoller&) = delete;

  void readNow();

  const std::optional<ipvs::IpvsStats>& last() const { return last_; }
  uint64_t reads() const { return reads_; }
  uint64_t failures() const { return failures_; }

  // The "stats" object of the snapshot's "dataplane": every service and
  // destination of the last read, with the weight and forwarding method
  // `applied` holds for it (see doc/monitoring.md).
  void write(JsonWriter& out, const ipvs::IpvsState& applied) const;

 private:
  ipvs::Dataplane& dataplane_;
  std::function<void()> onChange_;
  Duration interval_;
  std::unique_ptr<Timer> timer_;
  std::optional<ipvs::IpvsStats> last_;
  std::string lastError_;
  uint64_t reads_ = 0;
  uint64_t failures_ = 0;
};

// The counters of `stats` as JSON fields of the object open in `out`
// (connections, in_packets, ..., cps, in_pps, ...).
void writeTraffic(JsonWriter& out, const ipvs::TrafficCounters& traffic);

}  // namespace vigil::check
