#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "check/probe_registry.h"
#include "config/config_json.h"
#include "config/loader.h"

// tcp_check_mode as the configuration carries it to the check worker:
// global_defs sets the default, a TCP_CHECK overrides it, checks with
// bind_port, bind_if or fwmark connect, and the mode is part of a shared
// check's identity.
namespace vigil::check {
namespace {

config::LoadResult load(const std::string& globals, const std::string& checkers) {
  std::string text = "global_defs {\n" + globals +
                     "}\nvirtual_server 10.0.0.1 80 {\n  protocol TCP\n" +
                     "  real_server 10.0.0.2 80 {\n" + checkers + "  }\n}\n";
  return config::loadConfigText("t.conf", text, {});
}

config::TcpCheckMode modeOf(const config::Checker& c) {
  return std::get<config::TcpCheck>(*c.probe).mode;
}

const std::vector<config::Checker>& checkersOf(const config::LoadResult& r) {
  return r.config->lvs.virtualServers.at(0).realServers.at(0).checkers;
}

size_t warningCount(const config::LoadResult& r) { return r.diagnostics.warningCount(); }

TEST(TcpSynConfigTest, ConnectIsTheDefault) {
  auto r = load("", "    TCP_CHECK {\n    }\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->global.tcpCheckMode, config::TcpCheckMode::Connect);
  EXPECT_EQ(modeOf(checkersOf(r).at(0)), config::TcpCheckMode::Connect);
}

TEST(TcpSynConfigTest, GlobalDefsSetsTheModeAndACheckerOverridesIt) {
  auto r = load("  tcp_check_mode syn\n",
                "    TCP_CHECK {\n    }\n"
                "    TCP_CHECK {\n      connect_port 81\n      tcp_check_mode connect\n    }\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(modeOf(checkersOf(r).at(0)), config::TcpCheckMode::Syn);
  EXPECT_EQ(modeOf(checkersOf(r).at(1)), config::TcpCheckMode::Connect);
  EXPECT_EQ(config::toJson(*r.config).at("global_defs").at("lvs").at("tcp_check_mode"), "syn");
}

TEST(TcpSynConfigTest, ChecksWithBindPortBindIfOrFwmarkConnectWithOneWarning) {
  auto r = load("  tcp_check_mode syn\n",
                "    TCP_CHECK {\n      bind_port 40000\n    }\n"
                "    TCP_CHECK {\n      connect_port 81\n      fwmark 7\n    }\n"
                "    TCP_CHECK {\n      connect_port 82\n      bindto 10.0.0.9\n    }\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(modeOf(checkersOf(r).at(0)), config::TcpCheckMode::Connect);
  EXPECT_EQ(modeOf(checkersOf(r).at(1)), config::TcpCheckMode::Connect);
  EXPECT_EQ(modeOf(checkersOf(r).at(2)), config::TcpCheckMode::Syn);  // bindto is the source
  EXPECT_EQ(warningCount(r), 1U);
}

TEST(TcpSynConfigTest, HandshakeIsAModeOfItsOwn) {
  auto r = load("  tcp_check_mode handshake\n",
                "    TCP_CHECK {\n    }\n"
                "    TCP_CHECK {\n      connect_port 81\n      tcp_check_mode connect\n    }\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(modeOf(checkersOf(r).at(0)), config::TcpCheckMode::Handshake);
  EXPECT_EQ(modeOf(checkersOf(r).at(1)), config::TcpCheckMode::Connect);
  EXPECT_EQ(config::toJson(*r.config).at("global_defs").at("lvs").at("tcp_check_mode"),
            "handshake");
  auto connect = load("", "    TCP_CHECK {\n    }\n");
  ASSERT_TRUE(connect.config);
  EXPECT_NE(probeKey(checkersOf(r).at(0)), probeKey(checkersOf(connect).at(0)));
}

TEST(TcpSynConfigTest, ABadModeIsAnError) {
  auto r = load("  tcp_check_mode half\n", "");
  EXPECT_FALSE(r.config);
}

TEST(TcpSynConfigTest, TheModeIsPartOfASharedChecksIdentity) {
  auto syn = load("  tcp_check_mode syn\n", "    TCP_CHECK {\n    }\n");
  auto connect = load("", "    TCP_CHECK {\n    }\n");
  ASSERT_TRUE(syn.config && connect.config);
  EXPECT_NE(probeKey(checkersOf(syn).at(0)), probeKey(checkersOf(connect).at(0)));
}

}  // namespace
}  // namespace vigil::check
