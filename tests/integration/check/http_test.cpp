#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "check/http_probe.h"
#include "check/md5_digest.h"
#include "core/posix_event_loop.h"
#include "fakes/run_until.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/wait_for.h"

// HTTP_GET and SSL_GET against real servers (python3 http.server, openssl
// s_server) in a network namespace of their own, and `vigilctl genhash`
// against keepalived's genhash on the same page. The servers listen on the
// namespace's loopback; the probe's thread enters the namespace while it
// runs, so its sockets are opened there.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr uint16_t kHttpPort = 8080;
constexpr uint16_t kTlsPort = 8443;
constexpr uint16_t kSelfSignedPort = 8444;
constexpr milliseconds kServerStart{8000};
constexpr const char* kPage = "<html><body>vigil says hello</body></html>\n";

// A server process started in the namespace; killed (by its PID) and reaped
// when the object goes.
class ServerProcess {
 public:
  ServerProcess(const test::NetNs& ns, const fs::path& dir, std::vector<std::string> argv) {
    pid_ = fork();
    if (pid_ == 0) {
      test::NetNsEnter enter(ns);
      std::string log = (dir / "server.log").string();
      FILE* out = std::fopen(log.c_str(), "a");
      if (!enter.ok() || out == nullptr || chdir(dir.c_str()) != 0) {
        _exit(127);
      }
      dup2(fileno(out), STDOUT_FILENO);
      dup2(fileno(out), STDERR_FILENO);
      std::vector<char*> args;
      for (auto& arg : argv) {
        args.push_back(arg.data());
      }
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

config::HttpUrl urlFor(std::string path) {
  config::HttpUrl url;
  url.path = std::move(path);
  url.statusCodes = {{200, 299}};
  return url;
}

config::Checker checkerFor(uint16_t port, std::vector<config::HttpUrl> urls, bool tls = false) {
  config::HttpCheck http;
  http.urls = std::move(urls);
  http.tls = tls;
  config::Checker checker;
  checker.base.type = tls ? config::CheckerType::Ssl : config::CheckerType::Http;
  checker.base.connectTimeout = milliseconds(500);
  checker.target.address = *IpAddress::parse("127.0.0.1");
  checker.target.port = port;
  checker.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
  return checker;
}

config::Checker tlsChecker(uint16_t port, bool verify, std::string sniName) {
  auto checker = checkerFor(port, {urlFor("/")}, true);
  auto http = std::get<config::HttpCheck>(*checker.probe);
  http.verifyCertificate = verify;
  http.enableSni = !sniName.empty();
  http.sniName = std::move(sniName);
  checker.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
  return checker;
}

class HttpCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::runningAsRoot()) {
      GTEST_SKIP() << "needs root for network namespaces";
    }
    ASSERT_TRUE(ns_.ok());
    ASSERT_EQ(ns_.exec("ip link set lo up").exitCode, 0);
    dir_ = fs::temp_directory_path() / ("vch-http-" + ns_.name());
    fs::create_directories(dir_ / "www");
    std::ofstream(dir_ / "www" / "index.html") << kPage;
  }
  void TearDown() override {
    servers_.clear();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // One probe attempt, run from inside the namespace.
  ProbeResult probeOnce(const config::Checker& checker,
                        std::shared_ptr<const config::SslContext> ssl = nullptr) {
    test::NetNsEnter enter(ns_);
    EXPECT_TRUE(enter.ok());
    HttpProbe probe(loop_, checker, multi_, std::move(ssl));
    std::optional<ProbeResult> result;
    probe.start([&](ProbeResult r) { result = std::move(r); });
    if (!fakes::runUntil(
            loop_, [&] { return result.has_value(); }, milliseconds(3000))) {
      probe.abort(AbortReason::Timeout);
      return ProbeResult{Outcome::Timeout, std::nullopt, "no result"};
    }
    return *result;
  }

  bool becomes(const config::Checker& checker, Outcome outcome,
               std::shared_ptr<const config::SslContext> ssl = nullptr) {
    return test::waitFor(kServerStart, [&] { return probeOnce(checker, ssl).outcome == outcome; })
        .has_value();
  }

  ServerProcess& startHttpServer() {
    servers_.push_back(std::make_unique<ServerProcess>(
        ns_, dir_ / "www",
        std::vector<std::string>{"python3", "-m", "http.server", std::to_string(kHttpPort),
                                 "--bind", "127.0.0.1"}));
    return *servers_.back();
  }

  test::NetNs ns_{"vch"};
  fs::path dir_;
  PosixEventLoop loop_;
  CurlMulti multi_{loop_};
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

TEST_F(HttpCheckTest, PythonServerStatusDigestAndRegex) {
  startHttpServer();
  auto page = urlFor("/index.html");
  page.digest = md5Of(kPage);
  ASSERT_TRUE(becomes(checkerFor(kHttpPort, {page}), Outcome::Up));

  EXPECT_EQ(probeOnce(checkerFor(kHttpPort, {page, urlFor("/missing.html")})).outcome,
            Outcome::BadStatus);
  auto wrongDigest = page;
  wrongDigest.digest = md5Of("something else");
  EXPECT_EQ(probeOnce(checkerFor(kHttpPort, {wrongDigest})).outcome, Outcome::DigestMismatch);

  auto regex = std::make_shared<config::HttpRegex>();
  regex->pattern = "says\\s+hello";
  auto withRegex = urlFor("/index.html");
  withRegex.regex = regex;
  EXPECT_EQ(probeOnce(checkerFor(kHttpPort, {withRegex})).outcome, Outcome::Up);
  auto noMatch = std::make_shared<config::HttpRegex>(*regex);
  noMatch->noMatch = true;
  withRegex.regex = noMatch;
  EXPECT_EQ(probeOnce(checkerFor(kHttpPort, {withRegex})).outcome, Outcome::RegexMismatch);
}

TEST_F(HttpCheckTest, StoppedServerIsRefusedAndUpAgainAfterRestart) {
  auto checker = checkerFor(kHttpPort, {urlFor("/index.html")});
  startHttpServer();
  ASSERT_TRUE(becomes(checker, Outcome::Up));
  servers_.back()->stop();
  EXPECT_EQ(probeOnce(checker).outcome, Outcome::Refused);
  startHttpServer();
  EXPECT_TRUE(becomes(checker, Outcome::Up));
}

// Checks end their connections with a RST (check/socket_options.h): after
// a run of checks neither the server's side nor ours holds a TIME_WAIT
// socket, where a graceful close leaves one per check on whichever side
// closed first (both sides are in the namespace here).
TEST_F(HttpCheckTest, ChecksLeaveNoTimeWaitSockets) {
  auto checker = checkerFor(kHttpPort, {urlFor("/index.html")});
  startHttpServer();
  ASSERT_TRUE(becomes(checker, Outcome::Up));
  for (int check = 0; check < 5; ++check) {
    EXPECT_EQ(probeOnce(checker).outcome, Outcome::Up);
  }
  auto timeWait = ns_.exec("ss -Htan state time-wait");
  ASSERT_EQ(timeWait.exitCode, 0) << timeWait.output;
  EXPECT_EQ(timeWait.output, "") << "TIME_WAIT sockets left by the checks";
}

TEST_F(HttpCheckTest, GenhashAndVigilctlPrintTheSameDigest) {
  if (!fs::exists("/usr/bin/genhash")) {
    GTEST_SKIP() << "keepalived's genhash is not installed";
  }
  startHttpServer();
  ASSERT_TRUE(becomes(checkerFor(kHttpPort, {urlFor("/index.html")}), Outcome::Up));
  for (const char* path : {"/index.html", "/missing.html"}) {
    std::string args = " -s 127.0.0.1 -p " + std::to_string(kHttpPort) + " -u " + path;
    auto theirs = ns_.exec("genhash" + args);
    auto ours = ns_.exec(std::string(VIGIL_BIN_DIR) + "/vigilctl genhash" + args);
    EXPECT_EQ(ours.exitCode, 0) << ours.output;
    EXPECT_EQ(ours.output, theirs.output) << path;
    EXPECT_EQ(ours.output.size(), 33U) << ours.output;
  }
  EXPECT_EQ(ns_.exec(std::string(VIGIL_BIN_DIR) + "/vigilctl genhash -s 127.0.0.1 -p " +
                     std::to_string(kHttpPort) + " -u /index.html")
                .output,
            toHex(md5Of(kPage)) + "\n");
}

class SslCheckTest : public HttpCheckTest {
 protected:
  void SetUp() override {
    HttpCheckTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    // A CA, a server certificate it signed for good.example, and a
    // self-signed one for the same name (EC keys: generated in milliseconds).
    std::string d = dir_.string();
    std::string script =
        "(cd " + d +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
        "ca.key -out ca.pem -days 2"
        " -subj /CN=vch-ca"
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key "
        "-out srv.csr"
        " -subj /CN=good.example"
        " && printf 'subjectAltName=DNS:good.example\\n' > ext.cnf"
        " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out srv.pem -days 2 -extfile ext.cnf"
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
        "self.key -out self.pem -days 2"
        " -subj /CN=good.example -addext subjectAltName=DNS:good.example)";
    auto made = test::runCommand(script);
    ASSERT_EQ(made.exitCode, 0) << made.output;
    ssl_ = std::make_shared<config::SslContext>();
    ssl_->caFile = d + "/ca.pem";
    // A wrong SNI name gets a fatal alert, so "up" proves the name was sent.
    servers_.push_back(std::make_unique<ServerProcess>(
        ns_, dir_,
        std::vector<std::string>{"openssl", "s_server", "-accept",
                                 "127.0.0.1:" + std::to_string(kTlsPort), "-cert", "srv.pem",
                                 "-key", "srv.key", "-www", "-servername", "good.example",
                                 "-servername_fatal", "-cert2", "srv.pem", "-key2", "srv.key"}));
    servers_.push_back(std::make_unique<ServerProcess>(
        ns_, dir_,
        std::vector<std::string>{"openssl", "s_server", "-accept",
                                 "127.0.0.1:" + std::to_string(kSelfSignedPort), "-cert",
                                 "self.pem", "-key", "self.key", "-www"}));
  }

  std::shared_ptr<config::SslContext> ssl_;
};

TEST_F(SslCheckTest, HandshakeAndVerificationAgainstTheCa) {
  ASSERT_TRUE(becomes(tlsChecker(kTlsPort, false, ""), Outcome::Up, ssl_));
  EXPECT_EQ(probeOnce(tlsChecker(kTlsPort, true, "good.example"), ssl_).outcome, Outcome::Up);
}

TEST_F(SslCheckTest, SniNameIsSent) {
  ASSERT_TRUE(becomes(tlsChecker(kTlsPort, false, "good.example"), Outcome::Up, ssl_));
  auto wrong = probeOnce(tlsChecker(kTlsPort, false, "other.example"), ssl_);
  EXPECT_EQ(wrong.outcome, Outcome::TlsError) << wrong.detail;
}

TEST_F(SslCheckTest, SelfSignedCertificateFailsOnlyWhenVerified) {
  ASSERT_TRUE(becomes(tlsChecker(kSelfSignedPort, false, "good.example"), Outcome::Up, ssl_));
  auto verified = probeOnce(tlsChecker(kSelfSignedPort, true, "good.example"), ssl_);
  EXPECT_EQ(verified.outcome, Outcome::TlsError) << verified.detail;
}

TEST_F(SslCheckTest, VigilctlGenhashOverTls) {
  ASSERT_TRUE(becomes(tlsChecker(kTlsPort, false, ""), Outcome::Up, ssl_));
  auto ours = ns_.exec(std::string(VIGIL_BIN_DIR) + "/vigilctl genhash -S -I -V good.example" +
                       " -s 127.0.0.1 -p " + std::to_string(kTlsPort) + " -u /");
  EXPECT_EQ(ours.exitCode, 0) << ours.output;
  EXPECT_EQ(ours.output.size(), 33U) << ours.output;
}

}  // namespace
}  // namespace vigil::check
