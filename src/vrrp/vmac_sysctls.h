#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/result.h"

namespace vigil::vrrp {

// Reads and writes kernel parameters by their /proc/sys path below
// /proc/sys ("net/ipv4/conf/eth0/arp_ignore"). An interface so the VMAC
// settings can be tested with a fake.
class SysctlStore {
 public:
  virtual ~SysctlStore() = default;
  virtual Result<std::string> read(const std::string& key) = 0;
  virtual Status write(const std::string& key, const std::string& value) = 0;
};

// /proc/sys of the process's network namespace.
std::unique_ptr<SysctlStore> makeProcSysctlStore();

// The IPv4 settings keepalived makes for use_vmac, so the VIPs on a VMAC are
// answered with the virtual MAC only:
//  - on the VMAC: arp_ignore 1 (answer ARP only for its own addresses),
//    accept_local 1 and rp_filter 0 (adverts arrive with a source that
//    routes through the base interface), and for an IPv4 VMAC no IPv6
//    (keepalived gives it no link-local address: the backup's VMAC, with
//    the same MAC, would otherwise send MLD and DAD from the virtual MAC);
//  - on the base interface: arp_ignore 1 and arp_filter 1, so it stops
//    answering ARP for the VIPs with its own MAC, and (vigil's addition)
//    arp_announce 2, so its own ARP requests name its own address, not a
//    VIP, as their sender (a neighbour would otherwise move its entry for
//    the VIP to the base's MAC). The base's previous values
//    are saved when its first VMAC appears and restored when its last one
//    goes (or this object is destroyed).
//  - rp_filter (keepalived's, see its use_vmac): the kernel filters with
//    the greater of all.rp_filter and the interface's own, so a VMAC's 0
//    means nothing while all.rp_filter is set. When the first IPv4 VMAC
//    appears and all.rp_filter is N > 0, default.rp_filter and the
//    rp_filter of every base with VMACs are raised to at least N (so their
//    filtering is unchanged) and all.rp_filter is set to 0; all and default
//    are restored when the last VMAC goes, the bases with their others.
//    (keepalived 2.2.7 raises only the instance's interface, not the bases
//    of use_vmac_addr VMACs; vigil keeps every base filtering as before.)
// Failures are logged, never fatal: the VMAC still carries the VIPs.
class VmacSysctls {
 public:
  explicit VmacSysctls(SysctlStore& store) : store_(store) {}
  ~VmacSysctls();
  VmacSysctls(const VmacSysctls&) = delete;
  VmacSysctls& operator=(const VmacSysctls&) = delete;

  void vmacCreated(const std::string& vmac, const std::string& base, int family);
  void vmacRemoved(const std::string& base);

 private:
  struct SavedBase {
    int vmacs = 0;
    std::map<std::string, std::string> values;  // key -> value before us
  };
  void set(const std::string& key, const std::string& value);
  // Sets `key` to `value` unless it is already; what it was goes to `saved`.
  void change(const std::string& key, const std::string& value,
              std::map<std::string, std::string>& saved);
  void restore(const std::map<std::string, std::string>& saved);
  void lowerAllRpFilter();
  void raiseRpFilter(const std::string& base, SavedBase& saved);

  SysctlStore& store_;
  std::map<std::string, SavedBase> bases_;
  int allRpFilter_ = 0;  // all.rp_filter before we set it to 0; 0: untouched
  std::map<std::string, std::string> savedGlobal_;  // all and default, before us
};

}  // namespace vigil::vrrp
