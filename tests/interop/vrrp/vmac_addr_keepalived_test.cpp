#include "support/vmac_addr_lab.h"

// The reference for tests/integration/vrrp/vmac_addr_test.cpp: keepalived
// 2.2.7 in the same lab with the same file passes the same checks, so the
// names, MACs and placements vigil is held to are keepalived's.
namespace vigil::test {
namespace {

using VmacAddrKeepalivedTest = VmacAddrLab;

TEST_F(VmacAddrKeepalivedTest, KeepalivedMakesTheSameVmacsAndRemovesThemAll) {
  if (!std::filesystem::exists("/usr/sbin/keepalived")) GTEST_SKIP() << "no keepalived";
  const std::string config = writeConfig("keepalived", "");
  startDaemon("keepalived",
              {"/usr/sbin/keepalived", "-n", "-l", "-D", "-f", config, "-p",
               dir_ + "/keepalived.pid", "-r", dir_ + "/vrrp.pid", "-c", dir_ + "/check.pid"});
  expectKeepalivedsVmacsThenNothingAfterStop();
}

}  // namespace
}  // namespace vigil::test
