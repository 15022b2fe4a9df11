#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild with `dataplane userspace` (the in-memory IPVS table) checking real
// servers in a namespace of their own: python3 http.server (HTTP_GET),
// openssl s_server with a test CA and SNI (SSL_GET), an accept-then-close
// listener (TCP_CHECK), a listener that nftables black-holes (TCP_CHECK) and
// a flag file (MISC_CHECK). Stopping each one takes its destination out of
// the table `vigilctl ipvs -Ln --json` shows (or to weight 0 with
// inhibit_on_failure); starting it brings it back. And the global
// SSL { } block's client certificate against a server that demands one.
namespace vigil::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kServerAddress = "10.99.9.2";
constexpr uint16_t kHttpPort = 8080;
constexpr uint16_t kTlsPort = 8443;
constexpr uint16_t kClosePort = 9001;
constexpr uint16_t kBlackHolePort = 9002;
constexpr uint16_t kMiscPort = 9003;
// delay_loop 0.5 + connect_timeout 0.5 (retry 0) is the checker's share;
// the table vigilctl shows is up to one snapshot interval (1 s) older. The
// bound leaves the rest as slack for a loaded CI machine.
constexpr milliseconds kFlipBound{10000};
constexpr const char* kKeyPassword = "h9-s3cret";

// A CA, a server certificate it signed for good.example, and a client
// certificate it signed whose key is encrypted with kKeyPassword. EC keys:
// generated in milliseconds.
CommandResult makeCertificates(const std::string& dir) {
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
  return runCommand(
      "(cd " + dir + " && openssl req -x509" + ec +
      " -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=h9-ca"
      " && openssl req" +
      ec +
      " -nodes -keyout srv.key -out srv.csr -subj /CN=good.example"
      " && printf 'subjectAltName=DNS:good.example\\n' > ext.cnf"
      " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem"
      " -days 2 -extfile ext.cnf"
      " && openssl req" +
      ec + " -passout pass:" + kKeyPassword +
      " -keyout client.key -out client.csr -subj /CN=h9-checker"
      " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
      " -out client.pem -days 2)");
}

// argv of openssl s_server on kServerAddress:port serving a status page,
// with the certificates of makeCertificates in `dir`. It answers only the
// SNI name good.example (any other name gets a fatal alert). `extra`: more
// options, e.g. to demand a client certificate.
std::vector<std::string> tlsServer(const std::string& dir, uint16_t port,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      "openssl",      "s_server",
      "-accept",      std::string(kServerAddress) + ":" + std::to_string(port),
      "-cert",        dir + "/srv.pem",
      "-key",         dir + "/srv.key",
      "-www",         "-servername",
      "good.example", "-servername_fatal",
      "-cert2",       dir + "/srv.pem",
      "-key2",        dir + "/srv.key"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// The weight of destination `address`:`port` in an ipvsadm-style table
// ("  -> 10.99.9.2:8080   Masq    1"); nullopt when it is not in it.
std::optional<long> weightIn(const std::string& table, const std::string& address, uint16_t port) {
  std::istringstream lines(table);
  const std::string wanted = address + ":" + std::to_string(port);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string arrow, destination, forward;
    long weight = 0;
    if (fields >> arrow >> destination >> forward >> weight && arrow == "->" &&
        destination == wanted) {
      return weight;
    }
  }
  return std::nullopt;
}

// Two namespaces joined by a veth pair: the director's (VigildLab, vigild
// runs there, 10.99.9.1) and the real servers' (10.99.9.2).
class DataplaneFlipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(lab_.ok());
    ASSERT_TRUE(servers_.ok());
    ASSERT_EQ(
        lab_.ns()
            .exec("ip link set lo up && ip link add eth0 type veth peer name eth0 netns " +
                  servers_.name() + " && ip addr add 10.99.9.1/24 dev eth0 && ip link set eth0 up")
            .exitCode,
        0);
    ASSERT_EQ(servers_
                  .exec("ip link set lo up && ip addr add 10.99.9.2/24 dev eth0 && "
                        "ip link set eth0 up")
                  .exitCode,
              0);
    CommandResult made = makeCertificates(lab_.dir().string());
    ASSERT_EQ(made.exitCode, 0) << made.output;
  }

  std::string vigilctl(const std::string& args, const std::string& socket) const {
    // stderr dropped: "cannot reach vigild" while it starts.
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl " + args + " --socket " + socket +
                          " 2>/dev/null",
                      false)
        .output;
  }

  // The check worker's snapshot (vigilctl's `ipvs -Ln --json` and `check
  // --json` print the same document); null while vigild is not answering.
  json checkSnapshot(const std::string& socket) const {
    json doc = json::parse(vigilctl("ipvs -Ln --json", socket), nullptr, false);
    return doc.is_discarded() ? json() : doc;
  }

  std::string table(const std::string& socket) const {
    json doc = checkSnapshot(socket);
    if (!doc.is_object() || !doc.contains("dataplane")) return {};
    return doc["dataplane"].value("table", std::string());
  }

  // vigild in the director's namespace on config `name`, its control socket
  // `name`.sock; the lab SIGKILLs it if the test does not stop it.
  std::unique_ptr<NsProcess> startVigild(const std::string& name, const std::string& config) {
    lab_.write(name, config);
    auto daemon = std::make_unique<NsProcess>(
        lab_.ns(), lab_.path(name + ".log"),
        std::vector<std::string>{vigild(), "-n", "-l", "-f", lab_.path(name), "-p",
                                 lab_.path(name + ".pid"), "-c", lab_.path(name + ".check.pid"),
                                 "-r", lab_.path(name + ".vrrp.pid"), "--control-socket",
                                 lab_.path(name + ".sock")});
    return daemon->start() ? std::move(daemon) : nullptr;
  }

  // Whether something listens on `port` in the servers' namespace.
  bool listening(uint16_t port) const {
    return servers_.exec("ss -Hltn | grep -q :" + std::to_string(port) + "\\ ").exitCode == 0;
  }

  VigildLab lab_{"h9d", "h9-flip"};
  NetNs servers_{"h9s"};
};

// One real server of the flip test: how to stop and start it.
struct FlipTarget {
  std::string name;
  uint16_t port;
  bool inhibit;  // inhibit_on_failure: down is weight 0 in the table
  std::function<void()> stop;
  std::function<void()> start;
};

std::string flipConfig(const std::string& dir) {
  const std::string timing =
      "      connect_timeout 0.5\n      delay_loop 0.5\n      retry 0\n      warmup 0\n";
  const std::string rs = std::string("  real_server ") + kServerAddress + " ";
  std::ostringstream c;
  c << "global_defs {\n  dataplane userspace\n  metrics_listen off\n}\n"
    << "SSL {\n  ca " << dir << "/ca.pem\n}\n"
    << "virtual_server 10.99.9.100 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n"
    << rs << kHttpPort << " {\n    HTTP_GET {\n      url {\n        path /\n"
    << "        status_code 200\n      }\n"
    << timing << "    }\n  }\n"
    << rs << kTlsPort << " {\n    SSL_GET {\n      url {\n        path /\n"
    << "        status_code 200\n      }\n      enable_sni\n      sni_name good.example\n"
    << "      verify_cert\n"
    << timing << "    }\n  }\n"
    << rs << kClosePort << " {\n    TCP_CHECK {\n"
    << timing << "    }\n  }\n"
    << rs << kBlackHolePort << " {\n    TCP_CHECK {\n"
    << timing << "    }\n  }\n"
    << rs << kMiscPort << " {\n    inhibit_on_failure\n    MISC_CHECK {\n"
    << "      misc_path \"/usr/bin/test -e " << dir << "/healthy\"\n      misc_timeout 1\n"
    << timing << "    }\n  }\n"
    << "}\n";
  return c.str();
}

TEST_F(DataplaneFlipTest, StoppingAndStartingEachRealServerFlipsItInTheTable) {
  const std::string dir = lab_.dir().string();
  lab_.write("healthy", "");
  const std::string nftRules = lab_.path("blackhole.nft");
  lab_.write("blackhole.nft",
             "table inet h9blackhole {\n  chain in {\n"
             "    type filter hook input priority 0;\n    tcp dport " +
                 std::to_string(kBlackHolePort) + " drop\n  }\n}\n");

  auto http = [&] {
    return std::make_unique<NsProcess>(
        servers_, lab_.path("http.log"),
        std::vector<std::string>{"python3", "-m", "http.server", std::to_string(kHttpPort),
                                 "--bind", kServerAddress, "--directory", dir});
  };
  auto tls = [&] {
    return std::make_unique<NsProcess>(servers_, lab_.path("tls.log"), tlsServer(dir, kTlsPort));
  };
  auto closer = [&] {
    return std::make_unique<NsProcess>(servers_, lab_.path("close.log"),
                                       acceptAndCloseServer(kClosePort, kServerAddress));
  };
  std::unique_ptr<NsProcess> httpServer = http();
  std::unique_ptr<NsProcess> tlsServerProcess = tls();
  std::unique_ptr<NsProcess> closeServer = closer();
  NsProcess blackHoled(servers_, lab_.path("blackhole.log"),
                       acceptAndCloseServer(kBlackHolePort, kServerAddress));
  ASSERT_TRUE(httpServer->start() && tlsServerProcess->start() && closeServer->start() &&
              blackHoled.start());

  // Stopping kills the server's process group and reaps it; starting
  // starts a new one.
  auto restartable = [](std::unique_ptr<NsProcess>& server,
                        std::function<std::unique_ptr<NsProcess>()> make) {
    return std::make_pair(
        [&server] {
          server->killGroup();
          EXPECT_TRUE(server->reap(seconds(5)));
          server.reset();
        },
        [&server, make] {
          server = make();
          EXPECT_TRUE(server->start());
        });
  };
  auto [stopHttp, startHttp] = restartable(httpServer, http);
  auto [stopTls, startTls] = restartable(tlsServerProcess, tls);
  auto [stopClose, startClose] = restartable(closeServer, closer);
  std::vector<FlipTarget> targets = {
      {"HTTP_GET python3 http.server", kHttpPort, false, stopHttp, startHttp},
      {"SSL_GET openssl s_server", kTlsPort, false, stopTls, startTls},
      {"TCP_CHECK accept-then-close", kClosePort, false, stopClose, startClose},
      {"TCP_CHECK nftables black hole", kBlackHolePort, false,
       [&] {
         CommandResult r = runCommand("ip netns exec " + servers_.name() + " nft -f " + nftRules);
         EXPECT_EQ(r.exitCode, 0) << r.output;
       },
       [&] {
         CommandResult r =
             runCommand("ip netns exec " + servers_.name() + " nft delete table inet h9blackhole");
         EXPECT_EQ(r.exitCode, 0) << r.output;
       }},
      {"MISC_CHECK flag file", kMiscPort, true,
       [&] { std::filesystem::remove(lab_.path("healthy")); }, [&] { lab_.write("healthy", ""); }},
  };

  std::unique_ptr<NsProcess> daemon = startVigild("flip.conf", flipConfig(dir));
  ASSERT_NE(daemon, nullptr);
  const std::string socket = lab_.path("flip.conf.sock");
  auto inService = [&](const FlipTarget& t) {
    auto weight = weightIn(table(socket), kServerAddress, t.port);
    return weight && *weight > 0;
  };
  auto outOfService = [&](const FlipTarget& t) {
    auto weight = weightIn(table(socket), kServerAddress, t.port);
    return t.inhibit ? weight == 0L : !weight.has_value();
  };
  auto why = [&] {
    return "\ntable:\n" + table(socket) + "\ncheck:\n" + vigilctl("check", socket) +
           lab_.describe({"flip.conf.log", "tls.log"});
  };

  ASSERT_TRUE(waitFor(kFlipBound,
                      [&] {
                        for (const FlipTarget& t : targets) {
                          if (!inService(t)) return false;
                        }
                        return true;
                      }))
      << "not every real server came up" << why();

  for (const FlipTarget& t : targets) {
    t.stop();
    auto down = waitFor(kFlipBound, [&] { return outOfService(t); });
    EXPECT_TRUE(down.has_value()) << t.name << " did not leave the table" << why();
    t.start();
    auto up = waitFor(kFlipBound, [&] { return inService(t); });
    EXPECT_TRUE(up.has_value()) << t.name << " did not come back" << why();
    std::printf("[ flip     ] %-32s down %5lld ms  up %5lld ms\n", t.name.c_str(),
                down ? static_cast<long long>(down->count()) : -1LL,
                up ? static_cast<long long>(up->count()) : -1LL);
  }
  // Nothing else moved: every server is back in, and the dataplane never
  // refused an operation.
  for (const FlipTarget& t : targets) EXPECT_TRUE(inService(t)) << t.name << why();
  json snapshot = checkSnapshot(socket);
  EXPECT_EQ(snapshot["dataplane"].value("backend", std::string()), "memory");
  EXPECT_EQ(snapshot["dataplane"].value("dataplane_failures", -1), 0) << snapshot.dump();

  daemon->signal(SIGTERM);
  EXPECT_TRUE(daemon->reap(seconds(5))) << lab_.read("flip.conf.log");
}

// The global SSL { } block's client certificate, key and key password
// against openssl s_servers that demand a certificate signed by the test CA
// (-Verify 1), one speaking TLS 1.3 and one TLS 1.2 only: one vigild with
// the certificate configured finds both up, one without it counts TLS
// errors. Both run at once.
constexpr uint16_t kTls12Port = 8444;

std::string clientCertificateConfig(const std::string& dir, bool withCertificate) {
  std::ostringstream c;
  c << "global_defs {\n  dataplane userspace\n  metrics_listen off\n}\n"
    << "SSL {\n  ca " << dir << "/ca.pem\n";
  if (withCertificate) {
    c << "  certificate " << dir << "/client.pem\n  key " << dir << "/client.key\n"
      << "  password " << kKeyPassword << "\n";
  }
  c << "}\n"
    << "virtual_server 10.99.9.100 443 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n";
  for (uint16_t port : {kTlsPort, kTls12Port}) {
    c << "  real_server " << kServerAddress << " " << port << " {\n    SSL_GET {\n"
      << "      url {\n        path /\n        status_code 200\n      }\n"
      << "      enable_sni\n      sni_name good.example\n      verify_cert\n      alpha\n"
      << "      connect_timeout 0.5\n      delay_loop 0.5\n      retry 0\n      warmup 0\n"
      << "    }\n  }\n";
  }
  c << "}\n";
  return c.str();
}

// The checker of real server `index` of the first virtual server in a
// check worker snapshot; null when there is none yet.
json checkerOfServer(const json& snapshot, size_t index) {
  if (!snapshot.is_object()) return json();
  const json services = snapshot.value("virtual_servers", json::array());
  if (services.empty()) return json();
  const json servers = services[0].value("real_servers", json::array());
  if (servers.size() <= index) return json();
  const json checkers = servers[index].value("checkers", json::array());
  return checkers.empty() ? json() : checkers[0];
}

// The checker's "up"; `otherwise` when it has none (no snapshot yet).
bool isUp(const json& checker, bool otherwise) {
  return checker.is_object() ? checker.value("up", otherwise) : otherwise;
}

uint64_t outcomeCount(const json& checker, const std::string& outcome) {
  if (!checker.is_object() || !checker.contains("outcomes")) return 0;
  return checker["outcomes"].value(outcome, uint64_t{0});
}

// Probes the checker finished, whatever their outcome.
uint64_t finishedProbes(const json& checker) {
  uint64_t total = 0;
  if (!checker.is_object() || !checker.contains("outcomes")) return 0;
  for (const auto& [name, count] : checker["outcomes"].items()) total += count.get<uint64_t>();
  return total;
}

// Whether every probe the checker finished ended in `outcome` (at least one).
bool onlyOutcome(const json& checker, const std::string& outcome) {
  if (!checker.is_object() || !checker.contains("outcomes")) return false;
  const json& outcomes = checker["outcomes"];
  return outcomes.size() == 1 && outcomes.value(outcome, uint64_t{0}) > 0;
}

TEST_F(DataplaneFlipTest, GlobalSslClientCertificateWithPasswordIsPresented) {
  const std::string dir = lab_.dir().string();
  const std::vector<std::string> demandCertificate = {"-Verify", "1", "-CAfile", dir + "/ca.pem"};
  std::vector<std::string> tls12Only = demandCertificate;
  tls12Only.push_back("-no_tls1_3");
  NsProcess tls13(servers_, lab_.path("tls13.log"), tlsServer(dir, kTlsPort, demandCertificate));
  NsProcess tls12(servers_, lab_.path("tls12.log"), tlsServer(dir, kTls12Port, tls12Only));
  ASSERT_TRUE(tls13.start());
  ASSERT_TRUE(tls12.start());
  ASSERT_TRUE(waitFor(seconds(5), [&] { return listening(kTlsPort) && listening(kTls12Port); }));
  std::unique_ptr<NsProcess> with = startVigild("with.conf", clientCertificateConfig(dir, true));
  std::unique_ptr<NsProcess> without =
      startVigild("without.conf", clientCertificateConfig(dir, false));
  ASSERT_NE(with, nullptr);
  ASSERT_NE(without, nullptr);
  auto checkerOf = [&](const std::string& name, size_t index) {
    json doc = json::parse(vigilctl("check --json", lab_.path(name + ".sock")), nullptr, false);
    return doc.is_discarded() ? json() : checkerOfServer(doc, index);
  };
  auto why = [&] {
    std::string out;
    for (const char* name : {"with.conf", "without.conf"}) {
      for (size_t i = 0; i < 2; ++i) {
        out +=
            std::string("\n") + name + " " + std::to_string(i) + ": " + checkerOf(name, i).dump();
      }
    }
    return out + lab_.describe({"with.conf.log", "without.conf.log", "tls13.log", "tls12.log"});
  };

  // alpha: up only once a probe succeeded.
  EXPECT_TRUE(waitFor(kFlipBound,
                      [&] {
                        for (size_t i = 0; i < 2; ++i) {
                          json c = checkerOf("with.conf", i);
                          if (!isUp(c, false) || outcomeCount(c, "up") == 0) return false;
                        }
                        return true;
                      }))
      << "the client certificate did not open both servers" << why();
  // Two finished probes each, so a failure is not the first probe racing
  // the server's start.
  EXPECT_TRUE(waitFor(kFlipBound, [&] {
    return finishedProbes(checkerOf("without.conf", 0)) >= 2 &&
           finishedProbes(checkerOf("without.conf", 1)) >= 2;
  })) << why();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(outcomeCount(checkerOf("with.conf", i), "tls_error"), 0U) << why();
    json refused = checkerOf("without.conf", i);
    EXPECT_FALSE(isUp(refused, true)) << why();
    EXPECT_EQ(outcomeCount(refused, "up"), 0U) << why();
  }
  // TLS 1.2: the server's refusal ends the handshake.
  json tls12Refused = checkerOf("without.conf", 1);
  EXPECT_TRUE(onlyOutcome(tls12Refused, "tls_error")) << why();
  // TLS 1.3: the client's handshake is over before the server's
  // "certificate required" alert arrives, so libcurl reports it as a
  // receive error (CURLE_RECV_ERROR, errno 0); it is still a TLS error.
  json tls13Refused = checkerOf("without.conf", 0);
  EXPECT_TRUE(onlyOutcome(tls13Refused, "tls_error")) << tls13Refused.dump() << why();
  with->signal(SIGTERM);
  without->signal(SIGTERM);
  EXPECT_TRUE(with->reap(seconds(5))) << lab_.read("with.conf.log");
  EXPECT_TRUE(without->reap(seconds(5))) << lab_.read("without.conf.log");
}

}  // namespace
}  // namespace vigil::test
