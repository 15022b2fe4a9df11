#pragma once

#include <cstdint>

#include "core/clock.h"
#include "vrrp/packet.h"

// The RFC timer formulas. Computed in microseconds, truncating, as
// keepalived does: RFC 5798 writes Skew_Time in whole centiseconds, which
// at advert_int 0.01 would turn keepalived's 36.09 ms takeover into 30 ms.
namespace vigil::vrrp {

// Skew_Time. v3 (RFC 5798 §6.1): ((256 - Priority) * Master_Adver_Interval) / 256.
// v2 (RFC 3768 §6.1): (256 - Priority) / 256 seconds, whatever the interval.
Duration skewTime(uint8_t version, uint8_t priority, Centiseconds masterAdverInterval);

// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time, with
// keepalived's down_timer_adverts in place of the 3.
Duration masterDownInterval(uint8_t version, uint8_t priority, Centiseconds masterAdverInterval,
                            uint32_t downTimerAdverts);

}  // namespace vigil::vrrp
