#pragma once

#include <string>
#include <vector>

#include "core/ip_address.h"

// The nftables commands of no_accept, as one `nft` argument each (one
// transaction). Pure, so the text is unit-tested; the kernel's verdict is
// the integration test's.
namespace vigil::vrrp {

inline constexpr const char* kNftTable = "inet vigil";

// The instance's input chain: "vi_" and the instance name with every
// character nft would not take as a bare name replaced by '_' (then a hash
// of the original name, so two names that differ only there stay apart).
std::string nftChainName(const std::string& instance);

// Creates the table and the instance's chain (idempotent), empties it and
// drops traffic to each VIP: IPv4 unless VRRP; IPv6 unless VRRP or
// neighbour solicitation/advertisement. ARP is not IP and passes.
std::string nftBlockCommand(const std::string& instance, const std::vector<IpAddress>& vips);

// Removes the instance's chain. It is created first, so the command works
// whether or not the chain exists.
std::string nftUnblockCommand(const std::string& instance);

// Removes vigil's table with every chain in it (a worker that died).
std::string nftDeleteTableCommand();

}  // namespace vigil::vrrp
