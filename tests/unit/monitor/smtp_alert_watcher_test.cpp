#include "monitor/smtp/smtp_alert_watcher.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"

namespace vigil::monitor::smtp {
namespace {

using nlohmann::json;

std::shared_ptr<const config::Config> load(const std::string& text) {
  config::LoadResult result = config::loadConfigText("test.conf", text, {});
  EXPECT_TRUE(result.config) << config::errorSummary(result);
  return result.config;
}

const char* kConfig = R"(
global_defs {
  notification_email { ops@example.com }
  smtp_server 127.0.0.1
  smtp_alert_vrrp
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress { 10.0.0.100 }
}
vrrp_instance VI_QUIET {
  state BACKUP
  interface eth0
  virtual_router_id 2
  priority 100
  smtp_alert off
  virtual_ipaddress { 10.0.0.101 }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  smtp_alert
  real_server 10.0.0.2 80 { TCP_CHECK { } }
  real_server 10.0.0.3 80 {
    smtp_alert off
    TCP_CHECK { }
  }
}
)";

json vrrp(const std::string& one, const std::string& quiet) {
  return {{"instances",
           {{{"name", "VI_1"}, {"state", one}}, {{"name", "VI_QUIET"}, {"state", quiet}}}}};
}

json check(bool quorum, bool rs2, bool rs3) {
  return {{"virtual_servers",
           {{{"name", "[10.0.0.100]:tcp:80"},
             {"quorum_up", quorum},
             {"real_servers",
              {{{"address", "10.0.0.2"}, {"port", 80}, {"up", rs2}},
               {{"address", "10.0.0.3"}, {"port", 80}, {"up", rs3}}}}}}}};
}

TEST(SmtpAlertWatcherTest, FirstVrrpStateAndEveryTransitionAreMailedWhenAlertIsOn) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  auto events = watcher.update(*config, vrrp("INIT", "INIT"), json());
  EXPECT_TRUE(events.empty());
  events = watcher.update(*config, vrrp("BACKUP", "BACKUP"), json());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertKind::VrrpInstance);
  EXPECT_EQ(events[0].name, "VI_1");
  EXPECT_EQ(events[0].state, "BACKUP");
  EXPECT_TRUE(watcher.update(*config, vrrp("BACKUP", "BACKUP"), json()).empty());
  events = watcher.update(*config, vrrp("MASTER", "MASTER"), json());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, "MASTER");
}

TEST(SmtpAlertWatcherTest, AMissingSnapshotForgetsNothing) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_EQ(watcher.update(*config, vrrp("MASTER", "BACKUP"), json()).size(), 1u);
  EXPECT_TRUE(watcher.update(*config, json(), json()).empty());  // worker respawning
  EXPECT_TRUE(watcher.update(*config, vrrp("MASTER", "BACKUP"), json()).empty());
}

TEST(SmtpAlertWatcherTest, RealServerAndQuorumChangesButNotTheirFirstState) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_TRUE(watcher.update(*config, json(), check(true, true, true)).empty());
  auto events = watcher.update(*config, json(), check(false, false, false));
  ASSERT_EQ(events.size(), 2u);  // 10.0.0.3 has smtp_alert off
  EXPECT_EQ(events[0].kind, AlertKind::Quorum);
  EXPECT_EQ(events[0].name, "[10.0.0.100]:tcp:80");
  EXPECT_EQ(events[0].state, "DOWN");
  EXPECT_EQ(events[1].kind, AlertKind::RealServer);
  EXPECT_EQ(events[1].name, "10.0.0.2:80");
  EXPECT_EQ(events[1].service, "[10.0.0.100]:tcp:80");
  EXPECT_EQ(events[1].state, "DOWN");
  events = watcher.update(*config, json(), check(false, true, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, "UP");
}

// 10.0.0.2 with two checkers, each passing or not; the server is up when
// both pass.
json twoCheckers(bool first, bool second) {
  const json checkers = {{{"type", "TCP_CHECK"}, {"up", first}},
                         {{"type", "HTTP_GET"}, {"up", second}}};
  return {{"virtual_servers",
           {{{"name", "[10.0.0.100]:tcp:80"},
             {"quorum_up", true},
             {"real_servers",
              {{{"address", "10.0.0.2"},
                {"port", 80},
                {"up", first && second},
                {"checkers", checkers}}}}}}}};
}

TEST(SmtpAlertWatcherTest, ACheckerChangeThatLeavesTheServerAsItWasIsMailed) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_TRUE(watcher.update(*config, json(), twoCheckers(true, true)).empty());
  // The first failure takes the server down: one real-server mail.
  auto events = watcher.update(*config, json(), twoCheckers(false, true));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertKind::RealServer);
  // The second checker fails too: the server was down already.
  events = watcher.update(*config, json(), twoCheckers(false, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertKind::Checker);
  EXPECT_EQ(events[0].name, "10.0.0.2:80");
  EXPECT_EQ(events[0].checker, "HTTP_GET 2 of 2");
  EXPECT_EQ(events[0].state, "DOWN");
  EXPECT_EQ(alertSubject("lb1", events[0]),
            "[lb1] Realserver 10.0.0.2:80 of [10.0.0.100]:tcp:80 - HTTP_GET 2 of 2 check failed");
  events = watcher.update(*config, json(), twoCheckers(true, false));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].checker, "TCP_CHECK 1 of 2");
  EXPECT_EQ(events[0].state, "UP");
}

// 10.0.0.2 (down) with the given checkers: {id, up}, in this order.
json checkersById(const std::vector<std::pair<std::string, bool>>& list) {
  json checkers = json::array();
  for (const auto& [id, up] : list) {
    checkers.push_back({{"type", "TCP_CHECK"}, {"id", id}, {"up", up}});
  }
  return {{"virtual_servers",
           {{{"name", "[10.0.0.100]:tcp:80"},
             {"quorum_up", true},
             {"real_servers",
              {{{"address", "10.0.0.2"}, {"port", 80}, {"up", false}, {"checkers", checkers}}}}}}}};
}

TEST(SmtpAlertWatcherTest, AReloadThatReordersCheckersMailsNothingAndFollowsEachById) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_TRUE(
      watcher.update(*config, json(), checkersById({{"a", true}, {"b", false}, {"c", false}}))
          .empty());
  // Reordered, no checker changed: by place, the first would read as down.
  EXPECT_TRUE(
      watcher.update(*config, json(), checkersById({{"c", false}, {"a", true}, {"b", false}}))
          .empty());
  // "b" passes now, in third place: one mail, for it.
  auto events =
      watcher.update(*config, json(), checkersById({{"c", false}, {"a", true}, {"b", true}}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].checker, "TCP_CHECK 3 of 3");
  EXPECT_EQ(events[0].state, "UP");
}

TEST(SmtpAlertWatcherTest, NoCheckerEmailsMailsOnlyServersAddedOrRemoved) {
  std::string text = kConfig;
  text.replace(text.find("smtp_alert_vrrp"), 15, "smtp_alert_vrrp\n  no_checker_emails");
  auto config = load(text);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_TRUE(watcher.update(*config, json(), twoCheckers(true, true)).empty());
  EXPECT_EQ(watcher.update(*config, json(), twoCheckers(false, true)).size(), 1u);
  EXPECT_TRUE(watcher.update(*config, json(), twoCheckers(false, false)).empty());
  EXPECT_TRUE(watcher.update(*config, json(), twoCheckers(true, false)).empty());
  auto events = watcher.update(*config, json(), twoCheckers(true, true));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, AlertKind::RealServer);
  EXPECT_EQ(events[0].state, "UP");
  // VRRP mails are not checker mails.
  EXPECT_EQ(watcher.update(*config, vrrp("MASTER", "MASTER"), json()).size(), 1u);
}

TEST(SmtpAlertWatcherTest, NoEmailFaultsSkipsFault) {
  std::string text = kConfig;
  text.replace(text.find("smtp_alert_vrrp"), 15, "smtp_alert_vrrp\n  no_email_faults");
  auto config = load(text);
  ASSERT_TRUE(config);
  AlertWatcher watcher;
  EXPECT_TRUE(watcher.update(*config, vrrp("FAULT", "BACKUP"), json()).empty());
  EXPECT_EQ(watcher.update(*config, vrrp("BACKUP", "BACKUP"), json()).size(), 1u);
}

}  // namespace
}  // namespace vigil::monitor::smtp
