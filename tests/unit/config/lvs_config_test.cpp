// virtual_server, real_server, virtual_server_group and SSL read into the
// typed model: every keyword, keepalived's defaults, and inheritance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_json.h"
#include "unit/config/lvs_test_support.h"

namespace vigil::config {
namespace {

using namespace std::chrono_literals;
using lvstest::errors;
using lvstest::load;
using lvstest::lvsOf;
using lvstest::onlyService;
using lvstest::service;
using lvstest::warnings;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(LvsConfigTest, DefaultsAreKeepalivedsAndRealServersInheritThem) {
  auto r = load(service("", "    TCP_CHECK {\n    }\n"));
  const VirtualServer& vs = onlyService(r);
  EXPECT_THAT(warnings(r), IsEmpty());
  EXPECT_EQ(vs.kind, ServiceKind::Address);
  EXPECT_EQ(vs.address.toString(), "10.0.0.1");
  EXPECT_EQ(vs.port, 80);
  EXPECT_EQ(vs.family, AF_INET);
  EXPECT_EQ(vs.protocol, LvsProtocol::Tcp);
  EXPECT_EQ(vs.scheduler, LvsScheduler::Wlc);
  EXPECT_EQ(vs.forwarding.method, ForwardingMethod::Nat);
  EXPECT_EQ(vs.persistenceTimeout, 0u);
  EXPECT_EQ(vs.persistenceGranularity, 32);
  EXPECT_EQ(vs.quorum, 1u);
  EXPECT_EQ(vs.hysteresis, 0u);
  EXPECT_FALSE(vs.alpha);
  EXPECT_FALSE(vs.omega);
  EXPECT_FALSE(vs.smtpAlert);
  EXPECT_FALSE(vs.sorryServer);
  ASSERT_EQ(vs.realServers.size(), 1u);
  const RealServer& rs = vs.realServers[0];
  EXPECT_EQ(rs.address.toString(), "10.0.0.2");
  EXPECT_EQ(rs.port, 80);
  EXPECT_EQ(rs.weight, 1u);
  EXPECT_EQ(rs.forwarding.method, ForwardingMethod::Nat);
  EXPECT_TRUE(rs.smtpAlert);  // keepalived keeps real servers' alerts on
  ASSERT_EQ(rs.checkers.size(), 1u);
  const CheckerBase& base = rs.checkers[0].base;
  EXPECT_EQ(base.delayLoop, 60s);
  EXPECT_EQ(base.connectTimeout, 5s);
  EXPECT_EQ(base.retry, 1u);
  EXPECT_EQ(base.delayBeforeRetry, 1s);
  EXPECT_EQ(base.warmup, 60s);  // random start within one delay_loop
  EXPECT_FALSE(base.alpha);
  EXPECT_FALSE(base.logAllFailures);
}

TEST(LvsConfigTest, EveryServiceKeyword) {
  auto r = load(R"(virtual_server 2001:db8::1 443 {
  lvs_sched mh
  mh-port
  mh-fallback
  flag-3
  hashed
  lvs_method DR
  persistence_timeout
  persistence_granularity 64
  persistence_engine sip
  protocol sctp
  ha_suspend
  alpha
  omega
  quorum 2
  hysteresis 1
  quorum_up "/bin/up now" nobody nogroup
  quorum_down /bin/down
  virtualhost www.example.com
  snmp_name web
  smtp_alert
  inhibit_on_failure
  weight 5
  real_server 2001:db8::2 443 {
  }
}
)");
  const VirtualServer& vs = onlyService(r);
  EXPECT_THAT(warnings(r), IsEmpty());
  EXPECT_EQ(vs.family, AF_INET6);
  EXPECT_EQ(vs.scheduler, LvsScheduler::Mh);
  EXPECT_EQ(vs.schedulerFlags, kSchedulerFlag1 | kSchedulerFlag2 | kSchedulerFlag3);
  EXPECT_TRUE(vs.hashed);
  EXPECT_EQ(vs.forwarding.method, ForwardingMethod::DirectRouting);
  EXPECT_EQ(vs.persistenceTimeout, 360u);
  EXPECT_EQ(vs.persistenceGranularity, 64);
  EXPECT_EQ(vs.persistenceEngine, "sip");
  EXPECT_EQ(vs.protocol, LvsProtocol::Sctp);
  EXPECT_TRUE(vs.haSuspend);
  EXPECT_TRUE(vs.alpha);
  EXPECT_TRUE(vs.omega);
  EXPECT_EQ(vs.quorum, 2u);
  EXPECT_EQ(vs.hysteresis, 1u);
  ASSERT_TRUE(vs.quorumUp);
  EXPECT_EQ(vs.quorumUp->command, "/bin/up now");
  EXPECT_EQ(vs.quorumUp->user, "nobody");
  EXPECT_EQ(vs.quorumUp->group, "nogroup");
  ASSERT_TRUE(vs.quorumDown);
  EXPECT_EQ(vs.quorumDown->command, "/bin/down");
  ASSERT_TRUE(vs.virtualhost);
  EXPECT_EQ(*vs.virtualhost, "www.example.com");
  ASSERT_TRUE(vs.snmpName);
  EXPECT_EQ(*vs.snmpName, "web");
  EXPECT_TRUE(vs.smtpAlert);
  EXPECT_TRUE(vs.inhibitOnFailure);
  const RealServer& rs = vs.realServers.at(0);
  EXPECT_EQ(rs.weight, 5u);  // the service's weight
  EXPECT_EQ(rs.forwarding.method, ForwardingMethod::DirectRouting);
  EXPECT_TRUE(rs.inhibitOnFailure);
  EXPECT_TRUE(rs.alpha);
  ASSERT_TRUE(rs.virtualhost());
  EXPECT_EQ(*rs.virtualhost(), "www.example.com");
}

TEST(LvsConfigTest, KeepalivedsOldSpellings) {
  auto r = load(service("  lb_algo sh\n  sh-port\n  lb_kind TUN\n"));
  const VirtualServer& vs = onlyService(r);
  EXPECT_EQ(vs.scheduler, LvsScheduler::Sh);
  EXPECT_EQ(vs.schedulerFlags, kSchedulerFlag2);
  EXPECT_EQ(vs.forwarding.method, ForwardingMethod::Tunnel);
  EXPECT_EQ(vs.forwarding.tunnelType, TunnelType::Ipip);
}

TEST(LvsConfigTest, EverySchedulerByItsKernelName) {
  const char* names[] = {"rr", "wrr", "lc",  "wlc", "lblc", "lblcr", "dh",
                         "sh", "mh",  "sed", "nq",  "fo",   "ovf",   "twos"};
  for (const char* name : names) {
    auto r = load(service(std::string("  lb_algo ") + name + "\n"));
    EXPECT_EQ(toString(onlyService(r).scheduler), name);
  }
}

TEST(LvsConfigTest, TunnelOptions) {
  auto r = load(R"(virtual_server 10.0.0.1 80 {
  protocol TCP
  lvs_method TUN type gue port 6080 remcsum
  real_server 10.0.0.2 80 {
  }
  real_server 10.0.0.3 80 {
    lvs_method TUN type gre csum
  }
  real_server 2001:db8::4 80 {
    lvs_method TUN type ipip
  }
  real_server 10.0.0.5 80 {
    lvs_method NAT
  }
}
)");
  const VirtualServer& vs = onlyService(r);
  ASSERT_EQ(vs.realServers.size(), 4u);
  Forwarding gue{ForwardingMethod::Tunnel, TunnelType::Gue, TunnelChecksum::RemoteChecksum, 6080};
  EXPECT_EQ(vs.forwarding, gue);
  EXPECT_EQ(vs.realServers[0].forwarding, gue);
  Forwarding gre{ForwardingMethod::Tunnel, TunnelType::Gre, TunnelChecksum::Checksum, 0};
  EXPECT_EQ(vs.realServers[1].forwarding, gre);
  // A tunnelled real server may be of another family than its service.
  EXPECT_EQ(vs.realServers[2].forwarding.tunnelType, TunnelType::Ipip);
  EXPECT_EQ(vs.realServers[3].forwarding.method, ForwardingMethod::Nat);
}

TEST(LvsConfigTest, EveryRealServerKeyword) {
  auto r = load(service("", R"(    weight 0
    lb_kind DR
    uthreshold 1000
    lthreshold 100
    inhibit_on_failure off
    notify_up "/bin/notify up" root
    notify_down /bin/down
    alpha
    smtp_alert no
    virtualhost rs.example.com
    snmp_name rs1
)"));
  const RealServer& rs = onlyService(r).realServers.at(0);
  EXPECT_EQ(rs.weight, 0u);
  EXPECT_EQ(rs.forwarding.method, ForwardingMethod::DirectRouting);
  EXPECT_EQ(rs.upperThreshold(), 1000u);
  EXPECT_EQ(rs.lowerThreshold(), 100u);
  EXPECT_FALSE(rs.inhibitOnFailure);
  ASSERT_TRUE(rs.notifyUp());
  EXPECT_EQ(rs.notifyUp()->command, "/bin/notify up");
  EXPECT_EQ(rs.notifyUp()->user, "root");
  ASSERT_TRUE(rs.notifyDown());
  EXPECT_EQ(rs.notifyDown()->command, "/bin/down");
  EXPECT_TRUE(rs.alpha);
  EXPECT_FALSE(rs.smtpAlert);
  ASSERT_TRUE(rs.virtualhost());
  EXPECT_EQ(*rs.virtualhost(), "rs.example.com");
  ASSERT_TRUE(rs.snmpName());
  EXPECT_EQ(*rs.snmpName(), "rs1");
}

TEST(LvsConfigTest, MaximumWeightIsTheKernels) {
  auto r = load(service("", "    weight 2147483647\n"));
  EXPECT_EQ(onlyService(r).realServers.at(0).weight, 2147483647u);
}

// Keywords may come in any order: the service's settings written after its
// real servers still apply to them, as in keepalived.
TEST(LvsConfigTest, InheritanceIsResolvedAfterTheWholeBlock) {
  auto r = load(R"(virtual_server 10.0.0.1 80 {
  real_server 10.0.0.2 80 {
    TCP_CHECK {
    }
    TCP_CHECK {
      delay_loop 2
      retry 7
      alpha off
    }
  }
  real_server 10.0.0.3 80 {
    connect_timeout 1.5
    warmup 0
    alpha
    TCP_CHECK {
    }
  }
  protocol TCP
  delay_loop 10
  connect_timeout 3
  retry 2
  delay_before_retry 4
  alpha
}
)");
  const VirtualServer& vs = onlyService(r);
  ASSERT_EQ(vs.realServers.size(), 2u);
  const auto& first = vs.realServers[0].checkers;
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].base.delayLoop, 10s);
  EXPECT_EQ(first[0].base.connectTimeout, 3s);
  EXPECT_EQ(first[0].base.retry, 2u);
  EXPECT_EQ(first[0].base.delayBeforeRetry, 4s);
  EXPECT_EQ(first[0].base.warmup, 10s);
  EXPECT_TRUE(first[0].base.alpha);  // the service's alpha
  EXPECT_EQ(first[1].base.delayLoop, 2s);
  EXPECT_EQ(first[1].base.warmup, 2s);  // its own delay_loop
  EXPECT_EQ(first[1].base.retry, 7u);
  EXPECT_FALSE(first[1].base.alpha);
  const CheckerBase& second = vs.realServers[1].checkers.at(0).base;
  EXPECT_EQ(second.connectTimeout, 1500ms);
  EXPECT_EQ(second.warmup, 0s);
  EXPECT_EQ(second.delayLoop, 10s);
  EXPECT_TRUE(second.alpha);
}

TEST(LvsConfigTest, CheckerTypesHaveTheirOwnRetryDefaults) {
  auto r = load(service("  delay_loop 7\n", R"(    HTTP_GET {
      url {
        path /
      }
    }
    DNS_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
    }
    SMTP_CHECK {
    }
)"));
  const auto& checkers = onlyService(r).realServers.at(0).checkers;
  ASSERT_EQ(checkers.size(), 4u);
  EXPECT_EQ(checkers[0].base.retry, 1u);
  EXPECT_EQ(checkers[0].base.delayBeforeRetry, 3s);
  EXPECT_EQ(checkers[1].base.retry, 3u);
  EXPECT_EQ(checkers[1].base.delayBeforeRetry, 7s);  // DNS: the delay_loop
  EXPECT_EQ(checkers[2].base.retry, 0u);
  EXPECT_EQ(checkers[2].base.delayBeforeRetry, 1s);
  EXPECT_EQ(checkers[3].base.retry, 1u);
  EXPECT_EQ(checkers[3].base.delayBeforeRetry, 1s);
}

TEST(LvsConfigTest, SorryServerInAnyOrder) {
  auto r = load(
      service("  sorry_server_inhibit\n  sorry_server_lvs_method DR\n  sorry_server 10.0.0.9\n"));
  const VirtualServer& vs = onlyService(r);
  ASSERT_TRUE(vs.sorryServer);
  EXPECT_EQ(vs.sorryServer->address.toString(), "10.0.0.9");
  EXPECT_EQ(vs.sorryServer->port, 80);  // the service's
  EXPECT_EQ(vs.sorryServer->forwarding.method, ForwardingMethod::DirectRouting);
  EXPECT_TRUE(vs.sorryServer->inhibit);
}

TEST(LvsConfigTest, SorryServerTakesTheServicesForwarding) {
  auto r = load(service("  lb_kind DR\n  sorry_server 10.0.0.9 80\n"));
  ASSERT_TRUE(onlyService(r).sorryServer);
  EXPECT_EQ(onlyService(r).sorryServer->forwarding.method, ForwardingMethod::DirectRouting);
}

TEST(LvsConfigTest, RealServerWithoutPortTakesTheServicesPort) {
  auto r = load("virtual_server 10.0.0.1 8080 {\n  protocol TCP\n  real_server 10.0.0.2\n}\n");
  const RealServer& rs = onlyService(r).realServers.at(0);
  EXPECT_EQ(rs.port, 8080);
  EXPECT_TRUE(rs.checkers.empty());
}

TEST(LvsConfigTest, FwmarkServiceTakesItsFamilyFromItsRealServers) {
  auto r = load(R"(virtual_server fwmark 7 {
  lb_kind DR
  real_server 2001:db8::2 {
    TCP_CHECK {
      connect_port 80
    }
  }
}
)");
  const VirtualServer& vs = onlyService(r);
  EXPECT_THAT(warnings(r), IsEmpty());
  EXPECT_EQ(vs.kind, ServiceKind::Fwmark);
  EXPECT_EQ(vs.fwmark, 7u);
  EXPECT_EQ(vs.family, AF_INET6);
  EXPECT_EQ(vs.persistenceGranularity, 128);
  const RealServer& rs = vs.realServers.at(0);
  EXPECT_EQ(rs.port, 0);
  const Checker& tcp = rs.checkers.at(0);
  EXPECT_TRUE(std::holds_alternative<TcpCheck>(*tcp.probe));
  EXPECT_EQ(tcp.target.address.toString(), "2001:db8::2");
  EXPECT_EQ(tcp.target.port, 80);
}

TEST(LvsConfigTest, FwmarkServiceFamilyFromIpFamilyWhenAllTunnel) {
  auto r = load(R"(virtual_server fwmark 7 {
  ip_family inet6
  lb_kind TUN
  real_server 10.0.0.2 {
  }
}
)");
  EXPECT_EQ(onlyService(r).family, AF_INET6);
}

TEST(LvsConfigTest, Ipv4PersistenceGranularityIsANetmask) {
  auto r = load(service("  persistence_granularity 255.255.255.0\n"));
  EXPECT_EQ(onlyService(r).persistenceGranularity, 24);
  EXPECT_EQ(onlyService(r).persistenceTimeout, 360u);  // granularity implies persistence
}

TEST(LvsConfigTest, VirtualServerGroupEntries) {
  auto r = load(R"(virtual_server_group web {
  10.0.0.1 80
  192.168.200.3-10 80
  192.168.200.250-192.168.201.10 443
  192.168.202.8/29 8080
  10.0.1.1
  fwmark 3
  fwmark 4 inet
}
virtual_server_group six {
  2001:db8::2-1f 80
}
virtual_server group web {
  protocol TCP
  persistence_timeout 60
  real_server 10.0.0.2 80 {
  }
}
)");
  const LvsModel& lvs = lvsOf(r);
  ASSERT_EQ(lvs.groups.size(), 2u);
  const auto& e = lvs.groups[0].entries;
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(e[0].first.toString(), "10.0.0.1");
  EXPECT_EQ(e[0].last.toString(), "10.0.0.1");
  EXPECT_EQ(e[0].port, 80);
  EXPECT_EQ(e[1].first.toString(), "192.168.200.3");
  EXPECT_EQ(e[1].last.toString(), "192.168.200.10");
  EXPECT_EQ(e[2].first.toString(), "192.168.200.250");
  EXPECT_EQ(e[2].last.toString(), "192.168.201.10");
  EXPECT_EQ(e[2].port, 443);
  EXPECT_EQ(e[3].first.toString(), "192.168.202.8");
  EXPECT_EQ(e[3].last.toString(), "192.168.202.15");
  EXPECT_EQ(e[4].port, 0);
  EXPECT_EQ(e[5].kind, VirtualServerGroupEntry::Kind::Fwmark);
  EXPECT_EQ(e[5].fwmark, 3u);
  EXPECT_EQ(e[5].fwmarkFamily, AF_UNSPEC);
  EXPECT_EQ(e[6].fwmarkFamily, AF_INET);
  const auto& six = lvs.groups[1].entries.at(0);
  EXPECT_EQ(six.first.toString(), "2001:db8::2");
  EXPECT_EQ(six.last.toString(), "2001:db8::1f");
  const VirtualServer& vs = lvs.virtualServers.at(0);
  EXPECT_EQ(vs.kind, ServiceKind::Group);
  EXPECT_EQ(vs.groupName, "web");
  EXPECT_EQ(vs.groupIndex, 0u);
  EXPECT_EQ(vs.family, AF_INET);
  EXPECT_EQ(lvs.findGroup("six"), &lvs.groups[1]);
  EXPECT_EQ(lvs.findGroup("none"), nullptr);
}

TEST(LvsConfigTest, GroupMayBeDefinedAfterItsUse) {
  auto r = load(
      "virtual_server group late {\n  protocol UDP\n  real_server 10.0.0.2 53\n}\n"
      "virtual_server_group late {\n  10.0.0.1 53\n}\n");
  EXPECT_EQ(onlyService(r).groupIndex, 0u);
}

TEST(LvsConfigTest, SslBlock) {
  auto r = load(
      "SSL {\n  password secret\n  ca /etc/ca.pem\n  certificate /etc/c.pem\n"
      "  key /etc/k.pem\n}\n");
  const LvsModel& lvs = lvsOf(r);
  ASSERT_TRUE(lvs.ssl);
  EXPECT_EQ(lvs.ssl->password, "secret");
  EXPECT_EQ(lvs.ssl->caFile, "/etc/ca.pem");
  EXPECT_EQ(lvs.ssl->certificateFile, "/etc/c.pem");
  EXPECT_EQ(lvs.ssl->keyFile, "/etc/k.pem");
}

TEST(LvsConfigTest, GlobalDefsDecideUnsetAlertsAndFailureLogging) {
  auto r = load("global_defs {\n  smtp_alert_checker off\n  checker_log_all_failures\n}\n" +
                service("",
                        "    TCP_CHECK {\n    }\n    TCP_CHECK {\n"
                        "      log_all_failures off\n    }\n"));
  const VirtualServer& vs = onlyService(r);
  EXPECT_FALSE(vs.smtpAlert);
  const RealServer& rs = vs.realServers.at(0);
  EXPECT_FALSE(rs.smtpAlert);
  EXPECT_TRUE(rs.checkers.at(0).base.logAllFailures);
  EXPECT_FALSE(rs.checkers.at(1).base.logAllFailures);
}

TEST(LvsConfigTest, ServiceWithoutRealServersIsIgnoredWithAWarning) {
  auto r = load("virtual_server 10.0.0.1 80 {\n  protocol TCP\n}\n");
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:1:1: warning: virtual server [10.0.0.1]:tcp:80 has "
                                       "no real servers; ignored (as keepalived does)"));
  EXPECT_TRUE(lvsOf(r).virtualServers.empty());
}

TEST(LvsConfigTest, UnknownKeywordsAreWarningsAndStrictErrors) {
  std::string text = service("  bogus 1\n", "    frobnicate\n");
  auto r = load(text);
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:3:3: warning: unknown keyword 'bogus' in virtual_server; ignored",
                          "t.conf:5:5: warning: unknown keyword 'frobnicate' in real_server; "
                          "ignored"));
  LoadOptions strict;
  strict.strict = true;
  auto s = loadConfigText("t.conf", text, strict);
  EXPECT_EQ(errors(s).size(), 2u);
}

TEST(LvsConfigTest, BfdCheckIsRecognisedButUnsupported) {
  auto r = load(service("", "    BFD_CHECK {\n      name b1\n    }\n"));
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:4:5: warning: 'BFD_CHECK' is not supported by vigil and is "
                          "ignored (vigil has no BFD; the real server is not tracked by it)"));
  EXPECT_TRUE(onlyService(r).realServers.at(0).checkers.empty());
}

TEST(LvsConfigTest, JsonDumpHasResolvedValues) {
  auto r = load(service("  lb_algo rr\n", "    TCP_CHECK {\n      connect_timeout 2.5\n    }\n"));
  nlohmann::json j = toJson(lvsOf(r));
  const auto& vs = j.at("virtual_servers").at(0);
  EXPECT_EQ(vs.at("address"), "10.0.0.1");
  EXPECT_EQ(vs.at("lb_algo"), "rr");
  EXPECT_EQ(vs.at("protocol"), "TCP");
  const auto& checker = vs.at("real_servers").at(0).at("checkers").at(0);
  EXPECT_EQ(checker.at("type"), "TCP_CHECK");
  EXPECT_EQ(checker.at("connect_timeout"), 2.5);
  EXPECT_EQ(checker.at("delay_loop"), 60.0);
  EXPECT_EQ(checker.at("target").at("port"), 80);
}

TEST(LvsConfigTest, ModelKeepsSourcePositions) {
  auto r = load(service("", "    TCP_CHECK {\n    }\n"));
  const VirtualServer& vs = onlyService(r);
  EXPECT_EQ(vs.pos.format(), "t.conf:1:1");
  EXPECT_EQ(vs.protocolPos.format(), "t.conf:2:12");
  EXPECT_EQ(vs.realServers.at(0).pos.format(), "t.conf:3:3");
  EXPECT_EQ(vs.realServers.at(0).checkers.at(0).base.pos.format(), "t.conf:4:5");
}

}  // namespace
}  // namespace vigil::config
