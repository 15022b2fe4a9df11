#include <gtest/gtest.h>

#include "config/loader.h"
#include "monitor/snmp/keepalived_mib.h"
#include "monitor/snmp/notifications.h"
#include "monitor/snmp/vrrpv3_mib.h"

namespace vigil::monitor::snmp {
namespace {

constexpr const char* kConfig = R"(
global_defs {
  router_id lb1
  enable_snmp_vrrp
  enable_snmp_checker
  enable_snmp_rfcv3
  enable_traps
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  version 3
  virtual_ipaddress {
    10.0.0.100/24
  }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  real_server 10.0.1.1 8080 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
)";

std::string vrrp(const char* state) {
  return std::string(R"({"instances":[{"name":"VI_1","state":")") + state +
         R"(","source_address":"10.0.0.1","master_address":"10.0.0.1",
          "effective_priority":150,"counters":{"became_master":1}}]})";
}

std::string check(bool up) {
  return std::string(R"({"virtual_servers":[{"name":"[10.0.0.100]:tcp:80","quorum_up":true,
    "real_servers":[{"address":"10.0.1.1","port":8080,"up":)") +
         (up ? "true" : "false") + "}]}]}";
}

// Builds the agent's view (both MIBs) from consecutive snapshots, as
// AgentxAgent does.
class View {
 public:
  View() {
    config::LoadResult result = config::loadConfigText("test.conf", kConfig, {});
    EXPECT_TRUE(result.config);
    config_ = result.config;
  }
  MibTree build(const std::string& vrrpSnapshot, const std::string& checkSnapshot) {
    MibSource source;
    source.config = config_;
    source.routerId = "lb1";
    source.vrrpSnapshot = vrrpSnapshot;
    source.checkSnapshot = checkSnapshot;
    source.ifIndexes = {{"eth0", 7}};
    MibTree tree = keepalived_.build(source);
    tree.merge(vrrpv3_.build(source));
    return tree;
  }

 private:
  std::shared_ptr<const config::Config> config_;
  KeepalivedMib keepalived_;
  Vrrpv3Mib vrrpv3_;
};

Oid keepalived(std::initializer_list<uint32_t> suffix) {
  Oid oid = kKeepalivedRoot;
  oid.insert(oid.end(), suffix);
  return oid;
}

Oid vrrpv3(std::initializer_list<uint32_t> suffix) {
  Oid oid = kVrrpv3Root;
  oid.insert(oid.end(), suffix);
  return oid;
}

std::vector<Notification> ofType(const std::vector<Notification>& all, const Oid& trap) {
  std::vector<Notification> out;
  for (const Notification& n : all) {
    if (n.trapOid == trap) out.push_back(n);
  }
  return out;
}

TEST(SnmpNotifications, TrapOidsAreTheMibs) {
  EXPECT_EQ(toString(vrrpInstanceStateChangeOid()), ".1.3.6.1.4.1.9586.100.5.2.10.0.2");
  EXPECT_EQ(toString(realServerStateChangeOid()), ".1.3.6.1.4.1.9586.100.5.3.5.0.1");
  EXPECT_EQ(toString(vrrpv3NewMasterOid()), ".1.3.6.1.2.1.207.0.1");
}

TEST(SnmpNotifications, BecomingMasterSendsStateChangeAndNewMaster) {
  View view;
  MibTree backup = view.build(vrrp("BACKUP"), check(true));
  MibTree master = view.build(vrrp("MASTER"), check(true));
  auto sent = notificationsBetween(backup, master);
  ASSERT_EQ(sent.size(), 2u);

  auto change = ofType(sent, vrrpInstanceStateChangeOid());
  ASSERT_EQ(change.size(), 1u);
  const std::vector<std::pair<Oid, MibValue>> expected = {
      {keepalived({2, 3, 1, 2, 1}), MibValue::octets("VI_1")},  // vrrpInstanceName.1
      {keepalived({2, 3, 1, 4, 1}), MibValue::integer(2)},      // vrrpInstanceState.1 master
      {keepalived({2, 3, 1, 5, 1}), MibValue::integer(1)},      // initialState.1 backup
      {keepalived({1, 2, 0}), MibValue::octets("lb1")},         // routerId.0
  };
  EXPECT_EQ(change[0].varbinds, expected);

  auto newMaster = ofType(sent, vrrpv3NewMasterOid());
  ASSERT_EQ(newMaster.size(), 1u);
  const std::vector<std::pair<Oid, MibValue>> v3 = {
      {vrrpv3({1, 1, 1, 1, 3, 7, 51, 1}), MibValue::octets(std::string("\x0a\x00\x00\x01", 4))},
      {vrrpv3({1, 2, 5, 1, 2, 7, 51, 1}), MibValue::integer(3)},  // masterNoResponse(3)
  };
  EXPECT_EQ(newMaster[0].varbinds, v3);
}

TEST(SnmpNotifications, UnchangedSnapshotsSendNothing) {
  View view;
  MibTree first = view.build(vrrp("MASTER"), check(true));
  MibTree second = view.build(vrrp("MASTER"), check(true));
  EXPECT_TRUE(notificationsBetween(first, second).empty());
}

TEST(SnmpNotifications, FirstReportedStateIsAChangeButUnknownIsNot) {
  View view;
  MibTree unknown = view.build("", "");  // workers not reported yet
  EXPECT_TRUE(notificationsBetween(MibTree{}, unknown).empty());
  MibTree backup = view.build(vrrp("BACKUP"), "");
  auto sent = notificationsBetween(unknown, backup);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].trapOid, vrrpInstanceStateChangeOid());
}

TEST(SnmpNotifications, RealServerGoingDownSendsRealServerStateChange) {
  View view;
  MibTree up = view.build(vrrp("MASTER"), check(true));
  MibTree down = view.build(vrrp("MASTER"), check(false));
  auto sent = notificationsBetween(up, down);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].trapOid, realServerStateChangeOid());
  const auto& vb = sent[0].varbinds;
  ASSERT_GE(vb.size(), 9u);
  EXPECT_EQ(vb[0], std::pair(keepalived({3, 4, 1, 3, 1, 1}), MibValue::integer(1)));  // ipv4
  EXPECT_EQ(vb[1], std::pair(keepalived({3, 4, 1, 4, 1, 1}),
                             MibValue::octets(std::string("\x0a\x00\x01\x01", 4))));
  EXPECT_EQ(vb[2], std::pair(keepalived({3, 4, 1, 5, 1, 1}), MibValue::unsignedValue(8080)));
  EXPECT_EQ(vb[3], std::pair(keepalived({3, 4, 1, 6, 1, 1}), MibValue::integer(2)));  // dead
  EXPECT_EQ(vb[4], std::pair(keepalived({3, 3, 1, 2, 1}), MibValue::integer(2)));     // ip
  EXPECT_EQ(vb[6], std::pair(keepalived({3, 3, 1, 21, 1}), MibValue::unsignedValue(0)));
  EXPECT_EQ(vb[7], std::pair(keepalived({3, 3, 1, 20, 1}), MibValue::unsignedValue(1)));
  EXPECT_EQ(vb[8], std::pair(keepalived({1, 2, 0}), MibValue::octets("lb1")));
  // The virtual server's address varbinds follow (type ip(2)).
  EXPECT_EQ(vb.back(), std::pair(keepalived({3, 3, 1, 7, 1}), MibValue::unsignedValue(80)));
}

TEST(SnmpNotifications, RealServerFirstReportIsNotAChange) {
  View view;
  MibTree none = view.build(vrrp("MASTER"), "");
  MibTree up = view.build(vrrp("MASTER"), check(true));
  EXPECT_TRUE(ofType(notificationsBetween(none, up), realServerStateChangeOid()).empty());
}

}  // namespace
}  // namespace vigil::monitor::snmp
