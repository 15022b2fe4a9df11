#include "vrrp/garp_sender.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "vrrp/gratuitous.h"

namespace vigil::vrrp {

namespace {

std::string onInterface(int ifindex) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) {
    return "ifindex " + std::to_string(ifindex);
  }
  return name;
}

}  // namespace

Result<SocketGratuitousSender> SocketGratuitousSender::create() {
  // Protocol 0: a send-only packet socket that receives nothing.
  UniqueFd packet(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!packet) {
    return errnoError("opening the PF_PACKET socket for gratuitous ARP");
  }
  UniqueFd icmpv6(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (!icmpv6) {
    return errnoError("opening the raw ICMPv6 socket for unsolicited NA");
  }
  // RFC 4861 §7.1.2: receivers drop NAs whose hop limit is not 255.
  int hops = 255;
  if (::setsockopt(icmpv6.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0 ||
      ::setsockopt(icmpv6.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0) {
    return errnoError("setting hop limit 255 on the ICMPv6 socket");
  }
  int loop = 0;
  (void)::setsockopt(icmpv6.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop);
  return SocketGratuitousSender(std::move(packet), std::move(icmpv6));
}

Status SocketGratuitousSender::sendArp(int ifindex, const MacAddress& source,
                                       const IpAddress& vip) {
  auto frame = buildGratuitousArp(source, vip);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, kBroadcastMac.data(), 6);
  if (::sendto(packet_.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof to) < 0) {
    return errnoError("sending gratuitous ARP for " + vip.toString() + " on " +
                      onInterface(ifindex));
  }
  return {};
}

Status SocketGratuitousSender::sendNa(int ifindex, const MacAddress& source, const IpAddress& vip) {
  // The kernel picks the source address and fills in the checksum.
  auto msg = buildUnsolicitedNa(source, vip, IpAddress::fromBytes(AF_INET6, in6addr_any.s6_addr));
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  std::memcpy(&to.sin6_addr, allNodesMulticast().bytes(), 16);
  to.sin6_scope_id = static_cast<uint32_t>(ifindex);
  unsigned index = static_cast<unsigned>(ifindex);
  if (::setsockopt(icmpv6_.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) < 0 ||
      ::sendto(icmpv6_.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof to) < 0) {
    return errnoError("sending unsolicited NA for " + vip.toString() + " on " +
                      onInterface(ifindex));
  }
  return {};
}

Result<MacAddress> interfaceMac(int ifindex) {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) {
    return errnoError("opening a socket to read a MAC address");
  }
  ifreq req{};
  if (if_indextoname(static_cast<unsigned>(ifindex), req.ifr_name) == nullptr) {
    return errnoError("interface index " + std::to_string(ifindex));
  }
  if (::ioctl(sock.get(), SIOCGIFHWADDR, &req) < 0) {
    return errnoError(std::string("reading the MAC address of ") + req.ifr_name);
  }
  MacAddress mac{};
  std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

}  // namespace vigil::vrrp
