#pragma once

#include <gtest/gtest.h>

#include "support/netns.h"
#include "support/wait_for.h"

namespace vigil::test {

// Two namespaces joined by a veth pair: "va" in left, "vb" in right, both up.
struct VethLab {
  NetNs left{"vgl"};
  NetNs right{"vgr"};
  bool ok = false;

  VethLab() {
    // No DAD: link-local addresses are usable at once, so IPv6 can be sent
    // as soon as the link is up.
    ok = left.ok() && right.ok() &&
         left.exec("sysctl -qw net.ipv6.conf.default.accept_dad=0").exitCode == 0 &&
         right.exec("sysctl -qw net.ipv6.conf.default.accept_dad=0").exitCode == 0 &&
         left.exec("ip link add va type veth peer name vb netns " + right.name()).exitCode == 0 &&
         left.exec("ip link set va up && ip link set lo up").exitCode == 0 &&
         right.exec("ip link set vb up && ip link set lo up").exitCode == 0;
  }
};

#define VIGIL_REQUIRE_ROOT()                               \
  do {                                                     \
    if (!::vigil::test::runningAsRoot()) {                 \
      GTEST_SKIP() << "needs root for network namespaces"; \
    }                                                      \
  } while (0)

}  // namespace vigil::test
