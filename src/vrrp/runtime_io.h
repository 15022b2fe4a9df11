#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model_vrrp.h"
#include "core/clock.h"
#include "core/result.h"
#include "vrrp/packet.h"
#include "vrrp/state_machine.h"

// The effects an InstanceRuntime performs, as small interfaces so the
// runtime is tested with fakes and the daemon plugs in sockets, netlink and
// scripts. Each is per instance: it already knows the interface, the
// destinations and the addresses it acts on.
namespace vigil::vrrp {

// Puts the instance's advert on the wire (multicast group or every unicast
// peer). A MASTER sends the same advert every Advertisement_Interval, so
// the runtime hands it over only when it changes (start, reload, another
// priority) and an implementation may encode it once there.
class AdvertSender {
 public:
  virtual ~AdvertSender() = default;
  // The advert send() puts on the wire from now on.
  virtual void prepare(const VrrpPacket& packet) = 0;
  // Sends the last advert prepared; an advert that cannot be encoded
  // fails here.
  virtual Status send() = 0;
};

// Adds and removes the instance's virtual_ipaddress entries. add() is also
// the refresh: calling it again renews `lifetime` (valid_lft and
// preferred_lft) on addresses already present. nullopt: permanent.
class VipInstaller {
 public:
  virtual ~VipInstaller() = default;
  virtual void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
                   std::optional<Duration> lifetime) = 0;
  virtual void remove(const std::vector<config::VirtualAddress>& vips,
                      const std::string& defaultDev) = 0;
};

// Gratuitous ARP (IPv4) / unsolicited NA (IPv6) for the instance's VIPs.
class VipAnnouncer {
 public:
  virtual ~VipAnnouncer() = default;
  virtual void announce(const std::vector<config::VirtualAddress>& vips,
                        const std::string& defaultDev, GratuitousReason reason) = 0;
};

// notify_* scripts, notify_fifo and the log line keepalived writes.
class TransitionNotifier {
 public:
  virtual ~TransitionNotifier() = default;
  virtual void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) = 0;
  // The effective priority of a MASTER or BACKUP (`kind`) changed to
  // `priority` without a transition (notify_priority_changes: keepalived
  // writes a FIFO line and runs no script). Only notifiers that report it
  // override this.
  virtual void priorityChanged(const config::VrrpInstance& /*instance*/, NotifyKind /*kind*/,
                               uint8_t /*priority*/) {}
};

// Stand-ins until netlink address management, GARP/NA and notify scripts
// are wired: they log what they would do, so a director runs the protocol
// and says which VIPs it would hold.
class LoggingVipInstaller final : public VipInstaller {
 public:
  void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
           std::optional<Duration> lifetime) override;
  void remove(const std::vector<config::VirtualAddress>& vips,
              const std::string& defaultDev) override;
};

class LoggingVipAnnouncer final : public VipAnnouncer {
 public:
  void announce(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
                GratuitousReason reason) override;
};

// keepalived's "VRRP_Instance(VI_1) Entering MASTER STATE" lines.
class LoggingTransitionNotifier final : public TransitionNotifier {
 public:
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) override;
};

std::string_view name(NotifyKind kind);
// The log line of a transition, in keepalived's words.
void logTransition(const std::string& instance, NotifyKind kind, uint8_t priority);

}  // namespace vigil::vrrp
