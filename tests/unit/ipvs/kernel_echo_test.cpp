#include "ipvs/kernel/kernel_echo.h"

#include <gtest/gtest.h>

#include "ipvs/reconcile.h"
#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs::kernel {
namespace {

using namespace vigil::ipvs::test;

// What the kernel would report after applying `ops` to an empty table:
// every service hashed, local destinations turned into Local.
IpvsState asTheKernelReports(IpvsState state, const DestinationKey& localAddress) {
  for (auto& [key, entry] : state.services) {
    entry.service.hashed = true;
    for (auto& [destKey, dest] : entry.destinations) {
      if (destKey == localAddress) {
        dest = Destination{
            ForwardingMethod::Local, TunnelType::Ipip,   TunnelChecksum::NoChecksum, 0, dest.weight,
            dest.upperThreshold,     dest.lowerThreshold};
      }
    }
  }
  return state;
}

TEST(KernelEcho, ReadingBackWhatWasWrittenReconcilesToNoOps) {
  IpvsState desired;
  Service hashed = scheduler("rr");
  hashed.hashed = true;
  desired.services[tcp("10.0.0.1", 80)] = {hashed, {{dest("10.0.1.2", 80), weighted(1)}}};
  Destination tunnel = weighted(2, ForwardingMethod::Tunnel);
  tunnel.tunnelType = TunnelType::Gue;
  tunnel.tunnelPort = 6080;
  desired.services[tcp("10.0.0.2", 80)] = {scheduler("wlc"), {{dest("127.0.0.1", 80), tunnel}}};

  KernelEcho echo;
  for (const Op& op : reconcile(desired, IpvsState{})) echo.record(op);
  IpvsState read = asTheKernelReports(desired, dest("127.0.0.1", 80));
  ASSERT_FALSE(reconcile(desired, read).empty()) << "the raw kernel view differs";
  echo.restore(read);
  EXPECT_EQ(read, desired);
  EXPECT_TRUE(reconcile(desired, read).empty());
}

TEST(KernelEcho, ServicesNeverWrittenReadAsNotHashed) {
  IpvsState read;
  Service s = scheduler("rr");
  s.hashed = true;
  read.services[tcp("10.0.0.1", 80)] = {s, {}};
  KernelEcho().restore(read);
  EXPECT_FALSE(read.services.begin()->second.service.hashed);
}

TEST(KernelEcho, ADeletedServiceIsForgotten) {
  KernelEcho echo;
  Service s = scheduler("rr");
  s.hashed = true;
  echo.record(AddService{tcp("10.0.0.1", 80), s});
  echo.record(AddDestination{tcp("10.0.0.1", 80), dest("127.0.0.1", 80),
                             weighted(1, ForwardingMethod::DirectRouting)});
  echo.record(DeleteService{tcp("10.0.0.1", 80)});

  IpvsState read;
  read.services[tcp("10.0.0.1", 80)] = {
      s, {{dest("127.0.0.1", 80), weighted(1, ForwardingMethod::Local)}}};
  echo.restore(read);
  const ServiceEntry& entry = read.services.begin()->second;
  EXPECT_FALSE(entry.service.hashed);
  EXPECT_EQ(entry.destinations.begin()->second.forwarding, ForwardingMethod::Local);
}

TEST(KernelEcho, OnlyLocalDestinationsAreRewritten) {
  KernelEcho echo;
  echo.record(AddDestination{tcp("10.0.0.1", 80), dest("10.0.1.2", 80),
                             weighted(1, ForwardingMethod::DirectRouting)});
  IpvsState read;
  read.services[tcp("10.0.0.1", 80)] = {scheduler("rr"), {{dest("10.0.1.2", 80), weighted(3)}}};
  echo.restore(read);
  EXPECT_EQ(read.services.begin()->second.destinations.begin()->second, weighted(3))
      << "a destination someone else edited reads as it is";
}

}  // namespace
}  // namespace vigil::ipvs::kernel
