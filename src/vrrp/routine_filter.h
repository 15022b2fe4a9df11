#pragma once

#include <linux/filter.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/ip_address.h"
#include "vrrp/instance_params.h"
#include "vrrp/state_machine.h"

namespace vigil::vrrp {

// An advert a Backup expects from the master it follows, which changes
// nothing but the Master_Down_Timer's start: same VRID, version and
// source, the priority of that master's last accepted advert (strictly
// above ours) and, v3, its Master_Adver_Interval. Such adverts may queue
// on the quiet socket until Master_Down_Timer runs out (see
// doc/vips.md, "Quiet backups"); every other advert wakes vigil at once.
struct RoutineAdvert {
  IpAddress source;  // IPv4 or IPv6, the socket's family
  uint8_t version = 3;
  uint8_t vrid = 0;
  uint8_t priority = 0;
  uint16_t advertInterval = 0;  // v3: Master_Adver_Interval in centiseconds

  bool operator==(const RoutineAdvert&) const = default;
};

// What a Backup in `state` with `params` may leave queued, or nothing:
// not Backup, no master yet, a master at or below our priority (preemption
// and equal-priority ties are decided per advert), a split-brain answer
// owed (yieldAnswersLeft), a preempt_delay running or AH (its own socket).
std::optional<RoutineAdvert> routineAdvertFor(const InstanceState& state,
                                              const InstanceParams& params);

enum class FilterSide {
  Quiet,   // accepts the routine adverts only
  Prompt,  // accepts everything else
};

// Adverts of more instances than this stay prompt: the classic BPF
// program of that many rules fits the kernel's 4096-instruction limit.
// IPv4: 9 instructions a rule at most; IPv6: 15 (its source is four words).
inline constexpr size_t kMaxRoutineAdverts = 400;
inline constexpr size_t kMaxRoutineAdvertsIpv6 = 270;
constexpr size_t maxRoutineAdverts(int family) {
  return family == AF_INET6 ? kMaxRoutineAdvertsIpv6 : kMaxRoutineAdverts;
}

// A classic BPF socket filter for a raw IPPROTO_VRRP socket of `family`
// (AF_INET or AF_INET6): accepts a packet whole or drops it by whether it
// matches one of `routine` (only the first maxRoutineAdverts(family)
// count; rules of the other family are left out). Pure, so tests run the
// program on crafted packets.
//
// An IPv4 raw socket's filter sees the packet from the IP header on; an
// IPv6 one sees the VRRP message (the transport payload) and reads the
// IPv6 header's source through the network-header offset SKF_NET_OFF.
std::vector<sock_filter> routineFilter(std::span<const RoutineAdvert> routine, FilterSide side,
                                       int family);

}  // namespace vigil::vrrp
