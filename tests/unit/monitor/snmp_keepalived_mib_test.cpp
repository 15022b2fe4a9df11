#include <gtest/gtest.h>

#include "config/loader.h"
#include "monitor/snmp/index_registry.h"
#include "monitor/snmp/keepalived_mib.h"
#include "monitor/snmp/mib_tree.h"

namespace vigil::monitor::snmp {
namespace {

constexpr const char* kConfig = R"(
global_defs {
  router_id lb1
  enable_snmp_vrrp
  enable_snmp_checker
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    10.0.0.100/24
  }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  lb_kind NAT
  real_server 10.0.1.1 8080 {
    weight 3
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
)";

std::shared_ptr<const config::Config> load(const std::string& text) {
  config::LoadResult result = config::loadConfigText("test.conf", text, {});
  EXPECT_TRUE(result.config) << "config did not load";
  return result.config;
}

MibSource source(std::shared_ptr<const config::Config> config, std::string vrrp,
                 std::string check) {
  MibSource s;
  s.config = std::move(config);
  s.vrrpSnapshot = std::move(vrrp);
  s.checkSnapshot = std::move(check);
  s.version = "vigil test";
  s.routerId = "lb1";
  return s;
}

Oid at(std::initializer_list<uint32_t> suffix) {
  Oid oid = kKeepalivedRoot;
  oid.insert(oid.end(), suffix.begin(), suffix.end());
  return oid;
}

MibValue get(const MibTree& tree, std::initializer_list<uint32_t> suffix) {
  auto it = tree.find(at(suffix));
  EXPECT_NE(it, tree.end()) << "missing " << toString(at(suffix));
  return it == tree.end() ? MibValue{} : it->second;
}

constexpr const char* kVrrpMaster = R"({"worker":"vrrp","instances":[
  {"name":"VI_1","state":"MASTER","vrid":51,"priority":150,"effective_priority":140}]})";
constexpr const char* kCheckUp = R"({"worker":"check","virtual_servers":[
  {"name":"[10.0.0.100]:tcp:80","quorum_up":true,"quorum":1,"hysteresis":0,
   "real_servers":[{"address":"10.0.1.1","port":8080,"up":true,"weight":3}]}]})";

TEST(KeepalivedMib, GlobalGroup) {
  KeepalivedMib mib;
  MibTree tree = mib.build(source(load(kConfig), "", ""));
  EXPECT_EQ(get(tree, {1, 1, 0}), MibValue::octets("vigil test"));
  EXPECT_EQ(get(tree, {1, 2, 0}), MibValue::octets("lb1"));
}

TEST(KeepalivedMib, InstanceRowFromConfigAndSnapshot) {
  KeepalivedMib mib;
  MibTree tree = mib.build(source(load(kConfig), kVrrpMaster, ""));
  // vrrpInstanceEntry = vrrp.3.1, index 1.
  EXPECT_EQ(get(tree, {2, 3, 1, 2, 1}), MibValue::octets("VI_1"));
  EXPECT_EQ(get(tree, {2, 3, 1, 3, 1}), MibValue::unsignedValue(51));
  EXPECT_EQ(get(tree, {2, 3, 1, 4, 1}), MibValue::integer(2));  // master(2)
  EXPECT_EQ(get(tree, {2, 3, 1, 5, 1}), MibValue::integer(2));  // initial master
  EXPECT_EQ(get(tree, {2, 3, 1, 7, 1}), MibValue::integer(150));
  EXPECT_EQ(get(tree, {2, 3, 1, 8, 1}), MibValue::integer(140));
  EXPECT_EQ(get(tree, {2, 3, 1, 10, 1}), MibValue::octets("eth0"));
  EXPECT_EQ(get(tree, {2, 3, 1, 30, 1}), MibValue::integer(2));
  // vrrpAddressEntry = vrrp.6.1, index (instance 1, address 1).
  EXPECT_EQ(get(tree, {2, 6, 1, 2, 1, 1}), MibValue::integer(1));  // ipv4
  EXPECT_EQ(get(tree, {2, 6, 1, 3, 1, 1}), MibValue::octets(std::string("\x0a\x00\x00\x64", 4)));
  EXPECT_EQ(get(tree, {2, 6, 1, 5, 1, 1}), MibValue::unsignedValue(24));
  EXPECT_EQ(get(tree, {2, 6, 1, 10, 1, 1}), MibValue::integer(1));  // set(1)
}

TEST(KeepalivedMib, WithoutSnapshotStateIsUnknownAndAddressesUnset) {
  KeepalivedMib mib;
  MibTree tree = mib.build(source(load(kConfig), "", ""));
  EXPECT_EQ(get(tree, {2, 3, 1, 4, 1}), MibValue::integer(4));  // unknown(4)
  EXPECT_EQ(tree.count(at({2, 3, 1, 8, 1})), 0u);               // no effective priority
  EXPECT_EQ(get(tree, {2, 6, 1, 10, 1, 1}), MibValue::integer(2));
  KeepalivedMib garbage;
  EXPECT_EQ(garbage.build(source(load(kConfig), "{not json", "[]")), tree);
}

TEST(KeepalivedMib, VirtualAndRealServerRows) {
  KeepalivedMib mib;
  MibTree tree = mib.build(source(load(kConfig), "", kCheckUp));
  // virtualServerEntry = check.3.1, index 1.
  EXPECT_EQ(get(tree, {3, 3, 1, 2, 1}), MibValue::integer(2));  // ip(2)
  EXPECT_EQ(get(tree, {3, 3, 1, 6, 1}), MibValue::octets(std::string("\x0a\x00\x00\x64", 4)));
  EXPECT_EQ(get(tree, {3, 3, 1, 7, 1}), MibValue::unsignedValue(80));
  EXPECT_EQ(get(tree, {3, 3, 1, 8, 1}), MibValue::integer(1));   // tcp(1)
  EXPECT_EQ(get(tree, {3, 3, 1, 11, 1}), MibValue::integer(1));  // alive(1)
  EXPECT_EQ(get(tree, {3, 3, 1, 20, 1}), MibValue::unsignedValue(1));
  EXPECT_EQ(get(tree, {3, 3, 1, 21, 1}), MibValue::unsignedValue(1));
  EXPECT_EQ(get(tree, {3, 3, 1, 71, 1}), MibValue::octets("[10.0.0.100]:tcp:80"));
  // realServerEntry = check.4.1, index (virtual server 1, real server 1).
  EXPECT_EQ(get(tree, {3, 4, 1, 4, 1, 1}), MibValue::octets(std::string("\x0a\x00\x01\x01", 4)));
  EXPECT_EQ(get(tree, {3, 4, 1, 5, 1, 1}), MibValue::unsignedValue(8080));
  EXPECT_EQ(get(tree, {3, 4, 1, 6, 1, 1}), MibValue::integer(1));  // alive(1)
  EXPECT_EQ(get(tree, {3, 4, 1, 7, 1, 1}), MibValue::integer(3));
}

TEST(KeepalivedMib, DisabledPartsAreAbsent) {
  KeepalivedMib mib;
  std::string text = kConfig;
  text.replace(text.find("  enable_snmp_checker\n"), 22, "");
  MibTree tree = mib.build(source(load(text), kVrrpMaster, kCheckUp));
  EXPECT_EQ(tree.count(at({2, 3, 1, 2, 1})), 1u);
  EXPECT_EQ(nextUnder(tree, at({3}), at({3})), tree.end());
}

TEST(KeepalivedMib, IndexesStayAcrossReloads) {
  KeepalivedMib mib;
  (void)mib.build(source(load(kConfig), "", ""));
  // A reload adds VI_0 before VI_1 in the file: VI_1 keeps index 1.
  std::string text = kConfig;
  text.insert(text.find("vrrp_instance VI_1"),
              "vrrp_instance VI_0 {\n interface eth1\n virtual_router_id 7\n priority 50\n}\n");
  MibTree tree = mib.build(source(load(text), "", ""));
  EXPECT_EQ(get(tree, {2, 3, 1, 2, 1}), MibValue::octets("VI_1"));
  EXPECT_EQ(get(tree, {2, 3, 1, 2, 2}), MibValue::octets("VI_0"));
}

TEST(MibTree, NextUnderWalksInOrderAndStopsAtTheSubtree) {
  MibTree tree;
  tree[{1, 2, 3}] = MibValue::integer(1);
  tree[{1, 2, 3, 1}] = MibValue::integer(2);
  tree[{1, 2, 4}] = MibValue::integer(3);
  tree[{1, 3}] = MibValue::integer(4);
  auto it = nextUnder(tree, {1, 2}, {1, 2});
  ASSERT_NE(it, tree.end());
  EXPECT_EQ(it->first, (Oid{1, 2, 3}));
  it = nextUnder(tree, {1, 2}, {1, 2, 3});
  EXPECT_EQ(it->first, (Oid{1, 2, 3, 1}));
  it = nextUnder(tree, {1, 2}, {1, 2, 3, 9, 9});
  EXPECT_EQ(it->first, (Oid{1, 2, 4}));
  EXPECT_EQ(nextUnder(tree, {1, 2}, {1, 2, 4}), tree.end());
}

TEST(IndexRegistry, FirstAppearanceOrder) {
  IndexRegistry registry;
  EXPECT_EQ(registry.indexOf("b"), 1u);
  EXPECT_EQ(registry.indexOf("a"), 2u);
  EXPECT_EQ(registry.indexOf("b"), 1u);
}

}  // namespace
}  // namespace vigil::monitor::snmp
