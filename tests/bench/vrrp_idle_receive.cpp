// Micro-benchmark: the user-space cost of one advert received by a BACKUP,
// from AdvertDispatcher::receiveIpv6, or with a second argument "4"
// receiveIpv4 with the IP header as vrrp_callgrind's lab sends it
// (decode, VRID lookup, checkAdvert, the
// state machine step, the Master_Down_Timer re-arm) on a PosixEventLoop's
// real clock, without the kernel or the load of the machine around it.
// Not part of the build: tests/bench/vrrp_idle.md says how to compile it
// against a build directory, so a tree before and after a change can be
// compared instruction for instruction (valgrind --tool=callgrind) or in
// ns per advert. Prints ns per advert and how many allocations it made.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

#include "core/posix_event_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/counting_new.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/ipv4_advert.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

namespace vigil::vrrp {
namespace {

using fakes::NullAnnouncer;
using fakes::NullNotifier;
using fakes::NullSender;
using fakes::NullVips;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// vrrp_idle's instance: VRRPv3 at advert_int 0.01 with one VIP, over IPv6
// (the payload needs no IP header of its own) or IPv4.
config::VrrpInstance idleConfig(bool v4) {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 51;
  c.priority = 100;
  c.version = 3;
  c.family = v4 ? AF_INET : AF_INET6;
  c.advertInterval = std::chrono::milliseconds(10);
  c.mcastDst = ip(v4 ? "224.0.0.18" : "ff02::12");
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse(v4 ? "10.77.0.100/24" : "fd00:77::50/64");
  c.vips.push_back(vip);
  return c;
}

int run(long count, bool v4) {
  PosixEventLoop loop;
  NullSender sender;
  NullVips vips;
  NullAnnouncer announcer;
  NullNotifier notifier;
  const config::VrrpInstance config = idleConfig(v4);
  InstanceRuntime runtime(loop, config, paramsFor(config, ip(v4 ? "10.77.0.2" : "fe80::1"), {}),
                          RuntimeIo{sender, vips, announcer, notifier}, std::nullopt);
  AdvertDispatcher dispatcher;
  dispatcher.add(&runtime);
  runtime.start();

  VrrpPacket advert;
  advert.vrid = 51;
  advert.priority = 200;
  advert.advertInterval = Centiseconds(1);
  advert.addresses = {ip(v4 ? "10.77.0.100" : "fd00:77::50")};
  const IpAddress source = ip(v4 ? "10.77.0.1" : "fe80::2");
  const IpAddress group = ip(v4 ? "224.0.0.18" : "ff02::12");
  std::vector<uint8_t> bytes(256);
  if (v4) {
    Ipv4Header header;
    header.source = source;
    header.destination = group;
    bytes.resize(*encodeIpv4Advert(header, advert, bytes, {}));
  } else {
    bytes.resize(*encode(advert, bytes, {source, group}));
  }
  auto receive = [&] {
    // One clock read per receive batch, as VrrpSocket does.
    if (v4) {
      dispatcher.receiveIpv4(bytes, loop.now());
    } else {
      dispatcher.receiveIpv6(bytes, source, group, 255, loop.now());
    }
  };

  for (int i = 0; i < 1000; ++i) receive();
  const test::AllocationCount allocations;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) receive();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const size_t made = allocations.calls();
  std::printf("%ld adverts: %.1f ns and %.2f allocations per advert; accepted %llu, state %s\n",
              count, std::chrono::duration<double, std::nano>(elapsed).count() / count,
              static_cast<double>(made) / count,
              static_cast<unsigned long long>(runtime.counters().advertsReceived),
              runtime.state().state == State::Backup ? "BACKUP" : "not BACKUP");
  dispatcher.remove(&runtime);
  return 0;
}

}  // namespace
}  // namespace vigil::vrrp

int main(int argc, char** argv) {
  return vigil::vrrp::run(argc > 1 ? std::atol(argv[1]) : 1000000,
                          argc > 2 && std::string_view(argv[2]) == "4");
}
