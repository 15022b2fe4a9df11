#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "config/model_vrrp.h"
#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"
#include "vrrp/packet.h"

// One VRRP instance and its peer's adverts, shared by the component tests
// that drive an InstanceRuntime through a SocketDispatcher.
namespace vigil::vrrp::test {

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// VI_1: VRID 51, priority 100, v3, 1 s adverts on eth0, VIP 10.0.0.100/24.
inline config::VrrpInstance instanceConfig() {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 51;
  c.priority = 100;
  c.version = 3;
  c.family = AF_INET;
  c.advertInterval = std::chrono::seconds(1);
  c.mcastDst = ip("224.0.0.18");
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("10.0.0.100/24");
  c.vips.push_back(vip);
  return c;
}

// An IPv4 advert from the peer 10.0.0.2 with `priority`, for VI_1's VIP
// unless `addresses` says otherwise.
inline std::vector<uint8_t> peerAdvert(uint8_t priority, uint8_t vrid = 51,
                                       std::vector<IpAddress> addresses = {ip("10.0.0.100")}) {
  VrrpPacket p;
  p.version = 3;
  p.vrid = vrid;
  p.priority = priority;
  p.advertInterval = Centiseconds(100);
  p.addresses = std::move(addresses);
  Ipv4Header header;
  header.source = ip("10.0.0.2");
  header.destination = ip("224.0.0.18");
  std::vector<uint8_t> out(256);
  auto size = encodeIpv4Advert(header, p, out, {});
  EXPECT_TRUE(size.ok());
  out.resize(size.ok() ? *size : 0);
  return out;
}

}  // namespace vigil::vrrp::test
