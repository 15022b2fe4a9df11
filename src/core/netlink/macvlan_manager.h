#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/result.h"

struct nl_sock;

namespace vigil::netlink {

using Mac = std::array<uint8_t, 6>;

// Creates and deletes the macvlan interfaces of use_vmac. An interface so the
// VRRP runtime can be tested with a fake.
class MacvlanManager {
 public:
  virtual ~MacvlanManager() = default;
  // Creates `name` on top of `base` in private mode (as keepalived does: the
  // macvlans of one base cannot talk to each other) with address `mac`
  // (vrrp::virtualMac), and brings it up without an IPv6 link-local address
  // of its own (addr_gen_mode none): the caller adds the one it needs.
  // Returns its ifindex.
  virtual Result<int> create(const std::string& name, const std::string& base, const Mac& mac) = 0;
  virtual Status remove(const std::string& name) = 0;
};

// MacvlanManager over rtnetlink (libnl-route).
class NetlinkMacvlanManager final : public MacvlanManager {
 public:
  Result<int> create(const std::string& name, const std::string& base, const Mac& mac) override;
  Status remove(const std::string& name) override;

 private:
  Status bringUpWithoutLinkLocal(nl_sock* sock, const std::string& name);
};

}  // namespace vigil::netlink
