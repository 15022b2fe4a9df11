#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/netlink/address_manager.h"
#include "core/result.h"

// RTM_NEWADDR and RTM_DELADDR requests as bytes, and the kernel's
// acknowledgement read back, without libnl: a MASTER renews its VIPs'
// lifetimes every ~667 ms, and libnl's objects, message allocation and
// callback-driven receive were most of that renewal's user-space cost.
//
// The request carries what libnl's rtnl_addr_add/_delete put in it for the
// same address (NetlinkAddressManager built those before), in its order:
//   nlmsghdr     len, type, flags (NLM_F_REQUEST | NLM_F_ACK, plus
//                NLM_F_CREATE | NLM_F_REPLACE for RTM_NEWADDR), seq, pid 0
//   ifaddrmsg    family, prefixlen, flags (IFA_F_NODAD), scope, ifindex
//   IFA_LOCAL, IFA_ADDRESS   the address (network byte order)
//   IFA_LABEL    NUL-terminated, IPv4 with a label only
//   IFA_BROADCAST            IPv4 with a broadcast only
//   IFA_CACHEINFO            ifa_prefered, ifa_valid (seconds), 0, 0
// Netlink's own integers are in host byte order; attributes are padded to
// 4 bytes.
namespace vigil::netlink {

enum class AddressRequestKind { Add, Remove };

// Large enough for any request encodeAddressRequest() writes (IPv6 address
// twice, a 15-character label, broadcast and cache info).
inline constexpr size_t kMaxAddressRequest = 128;

struct AddressRequest {
  std::array<uint8_t, kMaxAddressRequest> bytes{};
  size_t length = 0;

  std::span<uint8_t> message() { return {bytes.data(), length}; }
};

// The request to add (replacing an existing one, which restarts its
// lifetimes) or remove `spec` on interface `ifindex` (spec.interface is not
// read), with sequence number 0 (setSequence). A label of IFNAMSIZ characters or more
// is an ERANGE error naming it.
Result<AddressRequest> encodeAddressRequest(AddressRequestKind kind, const AddressSpec& spec,
                                            int ifindex);

// Sets the sequence number of an encoded request (any netlink message).
void setSequence(std::span<uint8_t> message, uint32_t seq);

// Looks through one datagram read from a NETLINK_ROUTE socket for the
// acknowledgement of request `seq`: nullopt when it holds none (a stale
// answer to an earlier request), else 0 for success or the errno the kernel
// refused it with. A truncated or malformed message ends the search.
std::optional<int> acknowledgement(std::span<const uint8_t> datagram, uint32_t seq);

}  // namespace vigil::netlink
