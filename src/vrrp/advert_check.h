#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/ip_address.h"
#include "vrrp/instance_params.h"
#include "vrrp/packet.h"
#include "vrrp/reject_reason.h"

namespace vigil::vrrp {

// The address list an instance expects in the adverts it receives, prepared
// once per configuration so that checking an advert neither sorts the
// configured list nor allocates. The list is compared as a multiset: the
// same addresses, each as many times, in any order.
class ExpectedAddresses {
 public:
  ExpectedAddresses() = default;
  explicit ExpectedAddresses(std::vector<IpAddress> configured);

  // Whether `received` holds the configured addresses in any order. Cheap
  // when the peer sends them in our configured order (a peer with the same
  // virtual_ipaddress block) or sorted; otherwise it sorts a copy in a
  // buffer reserved at construction, so it still allocates nothing.
  bool matches(std::span<const IpAddress> received);
  // The same for a list read in place. A peer sending our configured list
  // in our order (the usual case) costs one comparison of the bytes.
  bool matches(const AdvertAddresses& received);

 private:
  std::vector<IpAddress> configured_;  // as configured: what a like peer sends
  std::vector<IpAddress> sorted_;      // configured_, sorted
  std::vector<IpAddress> scratch_;     // capacity configured_.size()
  // configured_ and sorted_ as they are on the wire (each address's bytes
  // back to back), when all are of one family; else empty.
  std::vector<uint8_t> configuredBytes_;
  std::vector<uint8_t> sortedBytes_;
  int family_ = AF_UNSPEC;  // of every configured address; AF_UNSPEC: none, or mixed
};

// The protocol checks of RFC 5798 §7.1 / RFC 3768 §7.1 for an advert that
// passed decode(): version, VRID, v2 authentication (type and PASS
// password; the AH ICV is verifyAh()'s, over the whole IP packet), v2
// interval, and the address list (as a set; from the address owner a
// mismatch is accepted, as the RFC says). `skipAddressCheck` is keepalived's
// skip_check_adv_addr when the advert comes from the master we already know.
// `expected` must hold params.addresses.
std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        ExpectedAddresses& expected, bool skipAddressCheck = false);

// The same rules for an advert read in place (the receive path).
std::optional<RejectReason> checkAdvert(const AdvertView& advert, const InstanceParams& params,
                                        ExpectedAddresses& expected, bool skipAddressCheck = false);

// The same, preparing params.addresses for this one call (tests, one-off
// checks); a receive path keeps an ExpectedAddresses per configuration.
std::optional<RejectReason> checkAdvert(const VrrpPacket& packet, const InstanceParams& params,
                                        bool skipAddressCheck = false);

}  // namespace vigil::vrrp
