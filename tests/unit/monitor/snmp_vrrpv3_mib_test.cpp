#include <gtest/gtest.h>

#include "config/loader.h"
#include "monitor/snmp/mib_tree.h"
#include "monitor/snmp/vrrpv3_mib.h"

namespace vigil::monitor::snmp {
namespace {

constexpr const char* kConfig = R"(
global_defs {
  enable_snmp_rfcv3
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  version 3
  advert_int 0.5
  virtual_ipaddress {
    10.0.0.100/24
    10.0.0.101/24
  }
}
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 52
  priority 100
  version 3
  nopreempt
  virtual_ipaddress {
    2001:db8::100/64
  }
}
vrrp_instance VI_V2 {
  interface eth0
  virtual_router_id 53
  priority 100
  version 2
  virtual_ipaddress {
    10.0.0.200/24
  }
}
)";

std::shared_ptr<const config::Config> load(const std::string& text) {
  config::LoadResult result = config::loadConfigText("test.conf", text, {});
  EXPECT_TRUE(result.config) << "config did not load";
  return result.config;
}

MibSource source(const std::shared_ptr<const config::Config>& config, std::string vrrp) {
  MibSource s;
  s.config = config;
  s.vrrpSnapshot = std::move(vrrp);
  s.ifIndexes = {{"eth0", 7}};
  return s;
}

Oid at(std::initializer_list<uint32_t> suffix) {
  Oid oid = kVrrpv3Root;
  oid.insert(oid.end(), suffix.begin(), suffix.end());
  return oid;
}

// vrrpv3OperationsEntry / vrrpv3StatisticsEntry column `c` of the IPv4 row
// of VRID 51 on ifIndex 7.
Oid operation(uint32_t c, uint32_t vrid = 51, uint32_t type = 1) {
  return at({1, 1, 1, 1, c, 7, vrid, type});
}
Oid statistic(uint32_t c, uint32_t vrid = 51) { return at({1, 2, 5, 1, c, 7, vrid, 1}); }

MibValue get(const MibTree& tree, const Oid& oid) {
  auto it = tree.find(oid);
  EXPECT_NE(it, tree.end()) << "missing " << toString(oid);
  return it == tree.end() ? MibValue{} : it->second;
}

std::string master(const char* state, int becameMaster, const char* rejected = "{}") {
  return std::string(R"({"worker":"vrrp","instances":[{"name":"VI_1","state":")") + state +
         R"(","effective_priority":150,"source_address":"10.0.0.1","master_address":"10.0.0.2",
         "counters":{"became_master":)" +
         std::to_string(becameMaster) +
         R"(,"adverts_received":40,"priority_zero_received":2,"priority_zero_sent":1,
         "rejected":)" +
         rejected + R"(}}],"sockets":[{"interface":"eth0","family":"inet",
         "rejected":{"bad_checksum":3,"vrid_mismatch":5}}]})";
}

TEST(Vrrpv3Mib, OperationsRowIndexedByIfIndexVridAndAddressType) {
  Vrrpv3Mib mib;
  MibTree tree = mib.build(source(load(kConfig), master("BACKUP", 0)));
  EXPECT_EQ(get(tree, operation(3)), MibValue::octets(std::string("\x0a\x00\x00\x02", 4)));
  EXPECT_EQ(get(tree, operation(4)), MibValue::octets(std::string("\x0a\x00\x00\x01", 4)));
  EXPECT_EQ(get(tree, operation(5)), MibValue::octets(std::string("\x00\x00\x5e\x00\x01\x33", 6)));
  EXPECT_EQ(get(tree, operation(6)), MibValue::integer(2));  // backup(2)
  EXPECT_EQ(get(tree, operation(7)), MibValue::unsignedValue(150));
  EXPECT_EQ(get(tree, operation(8)), MibValue::integer(2));
  EXPECT_EQ(get(tree, operation(9)), MibValue::integer(50));  // centiseconds
  EXPECT_EQ(get(tree, operation(10)), MibValue::integer(1));  // preempt true(1)
  EXPECT_EQ(get(tree, operation(13)), MibValue::integer(1));  // active(1)
}

TEST(Vrrpv3Mib, Ipv6InstanceHasItsOwnRowAndVirtualMac) {
  Vrrpv3Mib mib;
  MibTree tree = mib.build(source(load(kConfig), ""));
  EXPECT_EQ(get(tree, operation(6, 52, 2)), MibValue::integer(1));  // not reported: initialize
  EXPECT_EQ(get(tree, operation(5, 52, 2)),
            MibValue::octets(std::string("\x00\x00\x5e\x00\x02\x34", 6)));
  EXPECT_EQ(get(tree, operation(10, 52, 2)), MibValue::integer(2));  // nopreempt: false(2)
  EXPECT_EQ(tree.count(operation(3, 52, 2)), 0u);  // no snapshot, no master address
}

TEST(Vrrpv3Mib, Version2InstancesAreNotVrrpv3Rows) {
  Vrrpv3Mib mib;
  MibTree tree = mib.build(source(load(kConfig), ""));
  EXPECT_EQ(tree.count(operation(6, 53, 1)), 0u);
}

TEST(Vrrpv3Mib, AssociatedAddressesIndexedByLengthAndOctets) {
  Vrrpv3Mib mib;
  MibTree tree = mib.build(source(load(kConfig), ""));
  EXPECT_EQ(get(tree, at({1, 1, 2, 1, 2, 7, 51, 1, 4, 10, 0, 0, 100})), MibValue::integer(1));
  EXPECT_EQ(get(tree, at({1, 1, 2, 1, 2, 7, 51, 1, 4, 10, 0, 0, 101})), MibValue::integer(1));
  Oid v6 = at({1, 1, 2, 1, 2, 7, 52, 2, 16, 0x20, 0x01, 0x0d, 0xb8});
  v6.insert(v6.end(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0});
  EXPECT_EQ(get(tree, v6), MibValue::integer(1));
}

TEST(Vrrpv3Mib, StatisticsFromTheSnapshotCounters) {
  Vrrpv3Mib mib;
  MibTree tree = mib.build(
      source(load(kConfig), master("MASTER", 3, R"({"bad_ttl":4,"address_list_mismatch":6})")));
  EXPECT_EQ(get(tree, statistic(1)), MibValue::counter32(3));
  EXPECT_EQ(get(tree, statistic(3)), MibValue::counter64(40));
  EXPECT_EQ(get(tree, statistic(5)), MibValue::counter64(4));
  EXPECT_EQ(get(tree, statistic(6)), MibValue::integer(1));  // ipTtlError(1)
  EXPECT_EQ(get(tree, statistic(7)), MibValue::counter64(2));
  EXPECT_EQ(get(tree, statistic(8)), MibValue::counter64(1));
  EXPECT_EQ(get(tree, statistic(10)), MibValue::counter64(6));
  EXPECT_EQ(get(tree, statistic(13)), MibValue::unsignedValue(1000));
  // Router-wide: the sockets' rejects.
  EXPECT_EQ(get(tree, at({1, 2, 1, 0})), MibValue::counter64(3));  // checksum
  EXPECT_EQ(get(tree, at({1, 2, 3, 0})), MibValue::counter64(5));  // VRID
}

TEST(Vrrpv3Mib, NewMasterReasonRemembersTheLastTakeover) {
  Vrrpv3Mib mib;
  auto config = load(kConfig);
  EXPECT_EQ(get(mib.build(source(config, master("BACKUP", 0))), statistic(2)),
            MibValue::integer(0));  // notMaster(0)
  EXPECT_EQ(get(mib.build(source(config, master("MASTER", 1))), statistic(2)),
            MibValue::integer(3));  // masterNoResponse(3)
  // Still the reason after it left MASTER again.
  EXPECT_EQ(get(mib.build(source(config, master("BACKUP", 1))), statistic(2)),
            MibValue::integer(3));
}

TEST(Vrrpv3Mib, NothingWithoutEnableSnmpRfcv3OrAnIfIndex) {
  Vrrpv3Mib mib;
  auto off = load(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  version 3
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)");
  EXPECT_TRUE(mib.build(source(off, master("MASTER", 1))).empty());
  MibSource noIndex = source(load(kConfig), master("MASTER", 1));
  noIndex.ifIndexes.clear();
  MibTree tree = mib.build(noIndex);
  EXPECT_EQ(tree.count(operation(6)), 0u);
}

}  // namespace
}  // namespace vigil::monitor::snmp
