#include "vrrp/timers.h"

namespace vigil::vrrp {

namespace {

using Micros = std::chrono::microseconds;

Micros micros(Centiseconds cs) { return std::chrono::duration_cast<Micros>(cs); }

}  // namespace

Duration skewTime(uint8_t version, uint8_t priority, Centiseconds masterAdverInterval) {
  const int64_t weight = 256 - priority;
  const Micros base = version == 2 ? Micros(std::chrono::seconds(1)) : micros(masterAdverInterval);
  return Micros(weight * base.count() / 256);
}

Duration masterDownInterval(uint8_t version, uint8_t priority, Centiseconds masterAdverInterval,
                            uint32_t downTimerAdverts) {
  return downTimerAdverts * micros(masterAdverInterval) +
         skewTime(version, priority, masterAdverInterval);
}

}  // namespace vigil::vrrp
