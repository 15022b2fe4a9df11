#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ip_address.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {

inline constexpr uint8_t kPriorityOwner = 255;  // the address owner (RFC 5798 §5.2.4)
inline constexpr uint8_t kPriorityStop = 0;     // "stop participating" advert

// What the codec checks and the state machine need from one vrrp_instance.
// The runtime fills it from the validated configuration; it is a value so
// tests build it field by field.
struct InstanceParams {
  uint8_t version = 2;  // 2 (RFC 3768) or 3 (RFC 5798)
  uint8_t vrid = 0;
  uint8_t priority = 100;  // configured (base) priority; 255 = address owner
  // Advertisement_Interval: what this router sends while Master. v2
  // supports whole seconds only.
  Centiseconds advertInterval{100};
  bool preempt = true;       // Preempt_Mode (false: `nopreempt`)
  Duration preemptDelay{0};  // keepalived's preempt_delay
  bool accept = true;        // Accept_Mode (`accept` / `no_accept`)
  // Master receiving a lower-priority advert: keepalived answers with an
  // advert of its own unless this is set (the RFC's behaviour).
  bool lowerPrioNoAdvert = false;
  // Master stepping down for a higher-priority advert sends one last advert
  // first, so a peer with garp_lower_prio_repeat re-sends its GARPs.
  bool higherPrioSendAdvert = false;
  // keepalived's down_timer_adverts: the 3 in Master_Down_Interval.
  uint32_t downTimerAdverts = 3;
  // Our IP source for adverts: equal priorities are won by the higher one.
  IpAddress primaryAddress;
  AuthType authType = AuthType::None;  // v2 only
  AuthData authData{};                 // PASS: the password; AH: the HMAC key
  std::vector<IpAddress> addresses;    // virtual_ipaddress as advertised
  // vrrp_garp_interval (IPv4) / vrrp_gna_interval (IPv6): the spacing of
  // the gratuitous ARP / unsolicited NA rounds of one burst.
  Duration gratuitousInterval{0};
  // use_vmac: the VIPs live on the virtual router MAC, the same on every
  // router, so a split brain leaves no host on a stale MAC (and an advert a
  // Backup sent from that MAC would move switches' entries to it).
  bool useVmac = false;
  // Where VIPs without their own `dev` go and their GARP/NA leave from: the
  // instance's VMAC with use_vmac, else its interface (empty: the same).
  std::string vipDevice;

  bool isAddressOwner() const { return priority == kPriorityOwner; }
};

}  // namespace vigil::vrrp
