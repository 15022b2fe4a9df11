// Micro-benchmark: the user-space cost of one advert received by a BACKUP,
// from AdvertDispatcher::receiveIpv6 (decode, VRID lookup, checkAdvert, the
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
#include <vector>

#include "core/posix_event_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/counting_new.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"
#include "vrrp/socket_dispatch.h"

namespace vigil::vrrp {
namespace {

using fakes::NullAnnouncer;
using fakes::NullNotifier;
using fakes::NullSender;
using fakes::NullVips;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// vrrp_idle's instance: VRRPv3 at advert_int 0.01 with one VIP, here over
// IPv6 so the payload needs no IP header of its own.
config::VrrpInstance idleConfig() {
  config::VrrpInstance c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 51;
  c.priority = 100;
  c.version = 3;
  c.family = AF_INET6;
  c.advertInterval = std::chrono::milliseconds(10);
  c.mcastDst = ip("ff02::12");
  config::VirtualAddress vip;
  vip.prefix = *IpPrefix::parse("fd00:77::50/64");
  c.vips.push_back(vip);
  return c;
}

int run(long count) {
  PosixEventLoop loop;
  NullSender sender;
  NullVips vips;
  NullAnnouncer announcer;
  NullNotifier notifier;
  const config::VrrpInstance config = idleConfig();
  InstanceRuntime runtime(loop, config, paramsFor(config, ip("fe80::1"), {}),
                          RuntimeIo{sender, vips, announcer, notifier}, std::nullopt);
  AdvertDispatcher dispatcher;
  dispatcher.add(&runtime);
  runtime.start();

  VrrpPacket advert;
  advert.vrid = 51;
  advert.priority = 200;
  advert.advertInterval = Centiseconds(1);
  advert.addresses = {ip("fd00:77::50")};
  const IpAddress source = ip("fe80::2");
  const IpAddress group = ip("ff02::12");
  std::vector<uint8_t> bytes(256);
  bytes.resize(*encode(advert, bytes, {source, group}));

  // One clock read per receive batch, as VrrpSocket does.
  for (int i = 0; i < 1000; ++i) dispatcher.receiveIpv6(bytes, source, group, 255, loop.now());
  const test::AllocationCount allocations;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) dispatcher.receiveIpv6(bytes, source, group, 255, loop.now());
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
  return vigil::vrrp::run(argc > 1 ? std::atol(argv[1]) : 1000000);
}
