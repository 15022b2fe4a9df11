#include <gtest/gtest.h>
#include <sys/socket.h>

#include <map>
#include <string>

#include "vrrp/vmac_sysctls.h"

// keepalived's rp_filter adjustment for use_vmac: the kernel filters with
// max(all.rp_filter, the interface's), so with all.rp_filter set a VMAC's 0
// would not count.
namespace vigil::vrrp {
namespace {

class FakeSysctls final : public SysctlStore {
 public:
  Result<std::string> read(const std::string& key) override {
    auto it = values.find(key);
    if (it == values.end()) return Error{ENOENT, key};
    return it->second;
  }
  Status write(const std::string& key, const std::string& value) override {
    values[key] = value;
    return {};
  }
  std::string& rpFilter(const std::string& interface) {
    return values["net/ipv4/conf/" + interface + "/rp_filter"];
  }
  std::map<std::string, std::string> values;
};

FakeSysctls withRpFilters(const char* all, const char* def, const char* eth0, const char* eth1) {
  FakeSysctls store;
  store.rpFilter("all") = all;
  store.rpFilter("default") = def;
  store.rpFilter("eth0") = eth0;
  store.rpFilter("eth1") = eth1;
  return store;
}

TEST(VmacRpFilter, AllGoesToZeroWhileDefaultAndEveryBaseKeepFilteringAndAllIsRestored) {
  FakeSysctls store = withRpFilters("1", "0", "0", "2");
  {
    VmacSysctls sysctls(store);
    sysctls.vmacCreated("vrrp.51", "eth0", AF_INET);
    EXPECT_EQ(store.rpFilter("all"), "0");
    EXPECT_EQ(store.rpFilter("default"), "1");
    EXPECT_EQ(store.rpFilter("eth0"), "1");  // max(own 0, all 1)
    EXPECT_EQ(store.rpFilter("vrrp.51"), "0");
    sysctls.vmacCreated("vrrp1.51", "eth1", AF_INET);
    EXPECT_EQ(store.rpFilter("eth1"), "2");  // already stricter
    sysctls.vmacRemoved("eth0");
    EXPECT_EQ(store.rpFilter("eth0"), "0");
    EXPECT_EQ(store.rpFilter("all"), "0");  // vrrp1.51 still needs it
    sysctls.vmacRemoved("eth1");
    EXPECT_EQ(store.rpFilter("all"), "1");
    EXPECT_EQ(store.rpFilter("default"), "0");
    EXPECT_EQ(store.rpFilter("eth1"), "2");
  }
  EXPECT_EQ(store.rpFilter("all"), "1");  // not restored twice
}

TEST(VmacRpFilter, NothingChangesWhenAllIsZeroOrOnlyIpv6VmacsExist) {
  FakeSysctls off = withRpFilters("0", "1", "0", "0");
  {
    VmacSysctls sysctls(off);
    sysctls.vmacCreated("vrrp.51", "eth0", AF_INET);
    EXPECT_EQ(off.rpFilter("eth0"), "0");
    EXPECT_EQ(off.rpFilter("default"), "1");
  }
  FakeSysctls v6 = withRpFilters("1", "0", "0", "0");
  {
    VmacSysctls sysctls(v6);
    sysctls.vmacCreated("vrrp.52", "eth0", AF_INET6);
    EXPECT_EQ(v6.rpFilter("all"), "1");
    EXPECT_EQ(v6.rpFilter("eth0"), "0");
  }
}

TEST(VmacRpFilter, ABaseWhoseVmacCameBeforeTheFirstIpv4OneIsRaisedToo) {
  FakeSysctls store = withRpFilters("2", "0", "0", "0");
  {
    VmacSysctls sysctls(store);
    sysctls.vmacCreated("vrrp6.51", "eth1", AF_INET6);
    sysctls.vmacCreated("vrrp.51", "eth0", AF_INET);
    EXPECT_EQ(store.rpFilter("eth0"), "2");
    EXPECT_EQ(store.rpFilter("eth1"), "2");
    EXPECT_EQ(store.rpFilter("all"), "0");
  }
  // Destroying the worker's settings restores everything.
  EXPECT_EQ(store.rpFilter("all"), "2");
  EXPECT_EQ(store.rpFilter("default"), "0");
  EXPECT_EQ(store.rpFilter("eth0"), "0");
  EXPECT_EQ(store.rpFilter("eth1"), "0");
}

}  // namespace
}  // namespace vigil::vrrp
