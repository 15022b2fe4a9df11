#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model_vrrp.h"
#include "core/netlink/macvlan_manager.h"
#include "core/result.h"
#include "vrrp/virtual_mac.h"

namespace vigil::vrrp {

// The macvlan of `use_vmac [NAME] [MAC]`.
struct VmacSpec {
  std::string name;
  MacAddress mac{};
  bool operator==(const VmacSpec&) const = default;
};

// The instance's VMAC: the NAME written, else `vmacPrefix` "." VRID
// (keepalived's vrrp.51); the MAC written, else the RFC 5798 §7.3 virtual
// router MAC of its family. nullopt without use_vmac.
std::optional<VmacSpec> vmacFor(const config::VrrpInstance& instance,
                                const std::string& vmacPrefix);

// "00:00:5e:00:01:33" (case-insensitive); nullopt if not six hex pairs.
std::optional<MacAddress> parseMac(std::string_view text);

// Owns one VMAC while it exists: created by create(), deleted by the
// destructor (a failure to delete is logged). An interface of the same name
// that is already there (left by a crashed worker) is deleted and created
// again, so a restart never fails with "File exists".
class VmacInterface {
 public:
  static Result<VmacInterface> create(netlink::MacvlanManager& manager, const VmacSpec& spec,
                                      const std::string& base);
  ~VmacInterface();
  VmacInterface(VmacInterface&& other) noexcept;
  VmacInterface& operator=(VmacInterface&&) = delete;
  VmacInterface(const VmacInterface&) = delete;
  VmacInterface& operator=(const VmacInterface&) = delete;

  const std::string& name() const { return name_; }
  int ifindex() const { return ifindex_; }

 private:
  VmacInterface(netlink::MacvlanManager& manager, std::string name, int ifindex)
      : manager_(&manager), name_(std::move(name)), ifindex_(ifindex) {}

  netlink::MacvlanManager* manager_;  // null once moved from
  std::string name_;
  int ifindex_ = 0;
};

}  // namespace vigil::vrrp
