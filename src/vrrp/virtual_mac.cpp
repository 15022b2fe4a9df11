#include "vrrp/virtual_mac.h"

#include <sys/socket.h>

namespace vigil::vrrp {

MacAddress virtualMac(int family, uint8_t vrid) {
  const uint8_t familyOctet = family == AF_INET6 ? 0x02 : 0x01;
  return {0x00, 0x00, 0x5e, 0x00, familyOctet, vrid};
}

}  // namespace vigil::vrrp
