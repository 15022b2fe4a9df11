#include "support/test_paths.h"
#include "support/vmac_addr_lab.h"

// use_vmac + use_vmac_addr end to end with vigild (the lab and what it checks:
// support/vmac_addr_lab.h; keepalived in the same lab: interop/vrrp).
namespace vigil::test {
namespace {

using VmacAddrTest = VmacAddrLab;

TEST_F(VmacAddrTest, EachAddressGoesOnTheVmacOfItsInterfaceAndFamilyAndStopRemovesThemAll) {
  const std::string config = writeConfig("vigil", "global_defs {\n  vip_lifetime 2\n}\n");
  startDaemon("vigild", {std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config, "-i",
                         ns_.name(), "-p", dir_ + "/vigild.pid", "-r", dir_ + "/vrrp.pid"});
  expectKeepalivedsVmacsThenNothingAfterStop();
  // vigil restores the ARP settings of every base (keepalived 2.2.7 leaves
  // eth1's arp_ignore at 1).
  EXPECT_EQ(sysctl("eth1/arp_ignore"), eth1ArpIgnoreBefore_);
}

}  // namespace
}  // namespace vigil::test
