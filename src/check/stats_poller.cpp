#include "check/stats_poller.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"

namespace vigil::check {
namespace {

void writeServiceKey(JsonWriter& out, const ipvs::ServiceKey& key) {
  out.field("name", ipvs::toString(key)).field("family", key.family == AF_INET6 ? "inet6" : "inet");
  if (key.isFwmark()) {
    out.field("protocol", "FWM").field("fwmark", key.fwmark);
    return;
  }
  out.field("protocol", ipvs::toString(key.protocol))
      .field("address", key.address.toString())
      .field("port", static_cast<uint32_t>(key.port));
}

void writeDestination(JsonWriter& out, const ipvs::DestinationKey& key,
                      const ipvs::DestinationStats& stats, const ipvs::Destination* applied) {
  out.object()
      .field("name", ipvs::toString(key))
      .field("address", key.address.toString())
      .field("port", static_cast<uint32_t>(key.port));
  if (applied != nullptr) {
    out.field("forward", ipvs::toString(applied->forwarding)).field("weight", applied->weight);
  }
  out.field("active_connections", stats.activeConnections)
      .field("inactive_connections", stats.inactiveConnections)
      .field("persistent_connections", stats.persistentConnections);
  writeTraffic(out, stats.traffic);
  out.end();
}

}  // namespace

void writeTraffic(JsonWriter& out, const ipvs::TrafficCounters& t) {
  out.field("connections", t.connections)
      .field("in_packets", t.inPackets)
      .field("out_packets", t.outPackets)
      .field("in_bytes", t.inBytes)
      .field("out_bytes", t.outBytes)
      .field("cps", t.connectionRate)
      .field("in_pps", t.inPacketRate)
      .field("out_pps", t.outPacketRate)
      .field("in_bps", t.inByteRate)
      .field("out_bps", t.outByteRate);
}

Duration minPollSpacing(Duration lastDuration) { return lastDuration * StatsPoller::kCostFactor; }

Duration nextPollDelay(Duration interval, Duration lastDuration) {
  return std::max(interval, minPollSpacing(lastDuration));
}

StatsPoller::StatsPoller(EventLoop& loop, ipvs::Dataplane& dataplane,
                         std::function<void()> onChange, Duration interval)
    : loop_(loop),
      dataplane_(dataplane),
      onChange_(std::move(onChange)),
      interval_(interval),
      timer_(loop.createTimer([this] { poll(); })) {
  // On the loop's next turn: the worker syncs the table right after making
  // this, and the first read should see it.
  timer_->armAfter(Duration::zero());
}

StatsPoller::~StatsPoller() = default;

Duration StatsPoller::currentInterval() const { return nextPollDelay(interval_, lastDuration_); }

void StatsPoller::readNow() {
  // The worker asks after every sync that issued ops; on a large table
  // those can come faster than a read's cost allows.
  if (lastStart_) {
    const TimePoint earliest = *lastStart_ + minPollSpacing(lastDuration_);
    if (loop_.now() < earliest) {
      timer_->armAt(earliest);
      return;
    }
  }
  poll();
}

void StatsPoller::poll() {
  ++reads_;
  const TimePoint start = loop_.now();
  Result<ipvs::IpvsStats> stats = dataplane_.readStats();
  lastStart_ = start;
  lastDuration_ = loop_.now() - start;
  timer_->armAt(start + nextPollDelay(interval_, lastDuration_));
  bool changed = false;
  if (stats) {
    const bool counters = !last_ || *last_ != *stats;
    changed = counters || !lastError_.empty();
    if (counters) ++countersVersion_;
    last_ = std::move(*stats);
    lastError_.clear();
  } else {
    // The last good counters stay: a counter that drops to nothing for one
    // failed read would look like a reset to Prometheus' rate().
    ++failures_;
    std::string error = stats.error().describe();
    if (error != lastError_) {
      log(LogLevel::Warning, "check worker: reading {} dataplane counters: {}", dataplane_.name(),
          error);
    }
    changed = error != lastError_;
    lastError_ = std::move(error);
  }
  if (changed && onChange_) onChange_();
}

void StatsPoller::write(JsonWriter& out, const ipvs::IpvsState& applied,
                        std::optional<uint64_t> appliedVersion) const {
  out.object();
  writeFields(out);
  out.key("services").raw(services(applied, appliedVersion));
  out.end();
}

void StatsPoller::writeFields(JsonWriter& out) const {
  out.field("reads", reads_)
      .field("read_failures", failures_)
      .field("interval_ms",
             static_cast<uint64_t>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count()))
      .field("current_interval_ms",
             static_cast<uint64_t>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(currentInterval()).count()))
      .field("last_read_us",
             static_cast<uint64_t>(
                 std::chrono::duration_cast<std::chrono::microseconds>(lastDuration_).count()));
  if (!lastError_.empty()) out.field("last_error", lastError_);
}

const std::string& StatsPoller::services(const ipvs::IpvsState& applied,
                                         std::optional<uint64_t> appliedVersion) const {
  const std::pair<uint64_t, uint64_t> from{countersVersion_, appliedVersion.value_or(0)};
  if (!appliedVersion || renderedFrom_ != from) {
    rendered_ = renderServices(applied);
    renderedFrom_ = appliedVersion ? std::optional(from) : std::nullopt;
    ++renders_;
  }
  return rendered_;
}

std::string StatsPoller::renderServices(const ipvs::IpvsState& applied) const {
  JsonWriter out;
  out.array();
  if (last_) {
    for (const auto& [key, service] : last_->services) {
      auto entry = applied.services.find(key);
      out.object();
      writeServiceKey(out, key);
      writeTraffic(out, service.traffic);
      out.key("destinations").array();
      for (const auto& [destKey, dest] : service.destinations) {
        const ipvs::Destination* appliedDest = nullptr;
        if (entry != applied.services.end()) {
          auto found = entry->second.destinations.find(destKey);
          if (found != entry->second.destinations.end()) appliedDest = &found->second;
        }
        writeDestination(out, destKey, dest, appliedDest);
      }
      out.end().end();
    }
  }
  out.end();
  return out.take();
}

}  // namespace vigil::check
