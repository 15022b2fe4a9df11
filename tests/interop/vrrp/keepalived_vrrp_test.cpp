#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild and keepalived 2.2.7 (Debian) as the two routers of one VRID on
// a bridge in its own namespace, across the matrix operators meet during a
// migration: either side master, VRRP v2 and v3, IPv4 and IPv6, multicast
// and unicast, PASS and AH authentication. Each case walks one failover
// cycle: exactly one master; (v3) the master unplugged from the bridge and
// back, and the two masters settle on one; SIGKILL of the master and the
// backup takes over; the old master restarts and preempts; a graceful stop
// of it hands the VIP over again (priority-0 advert). With nopreempt the
// restarted master stays backup until the other stops.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr const char* kKeepalived = "/usr/sbin/keepalived";
constexpr int kVrid = 61;
constexpr int kMasterPriority = 200;
constexpr int kBackupPriority = 100;

// first: vigild, second: keepalived.
constexpr LabAddresses kIpv4Lab{"10.9.1.100", "10.9.1.100/24", "10.9.1.1/24", "10.9.1.2/24",
                                "-4",         "inet"};
constexpr LabAddresses kIpv6Lab{
    "fd00:91::100", "fd00:91::100/64", "fd00:91::1/64", "fd00:91::2/64", "-6", "inet6"};

enum class Auth { None, Pass, Ah };
enum class Side { Vigil, Keepalived };

struct InteropCase {
  Side master;
  int version;  // 2 or 3
  int family;   // AF_INET / AF_INET6
  bool unicast;
  Auth auth;
  bool nopreempt = false;  // both routers: the returning master stays backup

  // v2 intervals are whole seconds; v3 runs fast to keep the tier short.
  milliseconds advertInterval() const { return version == 2 ? 1000ms : 100ms; }
  // RFC 5798 Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time,
  // Skew_Time < 1 interval: the longest a takeover may take, plus slack
  // for process start and the 20 ms polling.
  milliseconds takeoverBound() const { return 4 * advertInterval() + 1500ms; }
  // How long both routers are watched for exactly one master. Three
  // intervals outlast the backup's first Master_Down timer, so a backup
  // that drops the master's adverts is caught taking the VIP too.
  milliseconds soleMasterWindow() const {
    return std::max(milliseconds(1000), 3 * advertInterval());
  }
};

std::string withoutPrefix(const char* address) {
  std::string a(address);
  return a.substr(0, a.find('/'));
}

std::string authBlock(Auth auth) {
  switch (auth) {
    case Auth::Pass:
      return "  authentication {\n    auth_type PASS\n    auth_pass secret12\n  }\n";
    case Auth::Ah:
      return "  authentication {\n    auth_type AH\n    auth_pass ahkey\n  }\n";
    case Auth::None:
      break;
  }
  return "";
}

// The same keepalived.conf text for both routers but for the priority and
// which end of the unicast pair it is.
std::string instanceConfig(const InteropCase& c, const LabAddresses& lab, int priority,
                           const char* self, const char* peer) {
  std::string conf = "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n";
  conf += "  virtual_router_id " + std::to_string(kVrid) + "\n";
  conf += "  version " + std::to_string(c.version) + "\n";
  conf += "  priority " + std::to_string(priority) + "\n";
  conf += c.version == 2 ? "  advert_int 1\n" : "  advert_int 0.1\n";
  if (c.unicast) {
    conf += "  unicast_src_ip " + withoutPrefix(self) + "\n";
    conf += "  unicast_peer {\n    " + withoutPrefix(peer) + "\n  }\n";
  }
  if (c.nopreempt) conf += "  nopreempt\n";
  conf += authBlock(c.auth);
  conf += "  virtual_ipaddress {\n    " + std::string(lab.vipPrefix) + "\n  }\n}\n";
  return conf;
}

// One router of the lab: its namespace, the command that starts it, and
// the running process (replaced on every restart).
class Router {
 public:
  Router(const NetNs& ns, const LabAddresses& lab, std::string name, std::vector<std::string> argv,
         std::vector<std::string> pidFiles)
      : ns_(ns),
        lab_(lab),
        name_(std::move(name)),
        argv_(std::move(argv)),
        pidFiles_(std::move(pidFiles)) {}

  // A SIGKILLed keepalived leaves its pid files behind and refuses to start
  // over them ("daemon is already running"): clear them as a reboot would.
  ::testing::AssertionResult start(const std::string& dir) {
    for (const std::string& file : pidFiles_) std::filesystem::remove(file);
    process_ = std::make_unique<NsProcess>(
        ns_, dir + "/" + name_ + "-" + std::to_string(++starts_) + ".log", argv_);
    if (!process_->start()) return ::testing::AssertionFailure() << "cannot start " << name_;
    return ::testing::AssertionSuccess();
  }
  // Every process of it at once, as an OOM kill or a crash would.
  void kill() {
    process_->killGroup();
    (void)process_->reap(5s);
  }
  ::testing::AssertionResult stop() {
    process_->signal(SIGTERM);
    if (process_->reap(10s)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << name_ << " ignored SIGTERM";
  }
  void reset() { process_.reset(); }

  bool holdsVip() const { return test::holdsVip(ns_, lab_); }
  const std::string& name() const { return name_; }
  std::string log() const {
    return process_ ? "--- " + name_ + " log:\n" + process_->log() : std::string();
  }

 private:
  const NetNs& ns_;
  const LabAddresses& lab_;
  std::string name_;
  std::vector<std::string> argv_;
  std::vector<std::string> pidFiles_;
  std::unique_ptr<NsProcess> process_;
  int starts_ = 0;
};

std::string caseName(const ::testing::TestParamInfo<InteropCase>& info) {
  const InteropCase& c = info.param;
  std::string name = c.master == Side::Vigil ? "VigilMaster" : "KeepalivedMaster";
  name += c.version == 2 ? "V2" : "V3";
  name += c.family == AF_INET6 ? "Ipv6" : "Ipv4";
  name += c.unicast ? "Unicast" : "Multicast";
  if (c.auth == Auth::Pass) name += "Pass";
  if (c.auth == Auth::Ah) name += "Ah";
  if (c.nopreempt) name += "Nopreempt";
  return name;
}

void PrintTo(const InteropCase& c, std::ostream* os) {
  *os << caseName(::testing::TestParamInfo<InteropCase>(c, 0));
}

class KeepalivedInteropTest : public ::testing::TestWithParam<InteropCase> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (!std::filesystem::exists(kKeepalived)) GTEST_SKIP() << "keepalived is not installed";
    ASSERT_TRUE(bridge_.ok() && vigilNs_.ok() && keepalivedNs_.ok());
    char pattern[] = "/tmp/vvi-interop-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, vigilNs_, "p1", lab().first));
    ASSERT_TRUE(plugIntoBridge(bridge_, keepalivedNs_, "p2", lab().second));
    const InteropCase& c = GetParam();
    const bool vigilMaster = c.master == Side::Vigil;
    writeConfig("vigil.conf", vigilMaster ? kMasterPriority : kBackupPriority, lab().first,
                lab().second);
    writeConfig("keepalived.conf", vigilMaster ? kBackupPriority : kMasterPriority, lab().second,
                lab().first);
    const std::vector<std::string> vigilPids{dir_ + "/vigil.pid", dir_ + "/vigil-vrrp.pid"};
    vigil_ = std::make_unique<Router>(
        vigilNs_, lab(), "vigild",
        std::vector<std::string>{vigild(), "-n", "-l", "-f", dir_ + "/vigil.conf", "-p",
                                 vigilPids[0], "-r", vigilPids[1]},
        vigilPids);
    // VRRP only (-P): keepalived's checker process exits without IPVS.
    const std::vector<std::string> keepalivedPids{dir_ + "/keepalived.pid",
                                                  dir_ + "/keepalived-vrrp.pid"};
    keepalived_ = std::make_unique<Router>(
        keepalivedNs_, lab(), "keepalived",
        std::vector<std::string>{kKeepalived, "-n", "-l", "-P", "-f", dir_ + "/keepalived.conf",
                                 "-p", keepalivedPids[0], "-r", keepalivedPids[1]},
        keepalivedPids);
  }
  void TearDown() override {
    if (vigil_) vigil_->reset();
    if (keepalived_) keepalived_->reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const LabAddresses& lab() { return GetParam().family == AF_INET6 ? kIpv6Lab : kIpv4Lab; }
  Router& master() { return GetParam().master == Side::Vigil ? *vigil_ : *keepalived_; }
  Router& backup() { return GetParam().master == Side::Vigil ? *keepalived_ : *vigil_; }
  std::string logs() const { return vigil_->log() + keepalived_->log(); }
  // The master's bridge port (p1: vigild, p2: keepalived).
  std::string masterPort() const { return GetParam().master == Side::Vigil ? "p1" : "p2"; }

  // Takes the port out of the bridge (or puts it back) without touching
  // the link, so the router neither sees a carrier loss nor goes to Fault:
  // it simply stops hearing its peer, as behind a failed switch.
  ::testing::AssertionResult setPlugged(const std::string& port, bool plugged) {
    if (bridge_.exec("ip link set " + port + (plugged ? " master br0" : " nomaster")).exitCode == 0)
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "cannot " << (plugged ? "plug " : "unplug ") << port;
  }

  void writeConfig(const std::string& file, int priority, const char* self, const char* peer) {
    std::ofstream(dir_ + "/" + file) << instanceConfig(GetParam(), lab(), priority, self, peer);
  }

  // `master` ends up with the VIP and `backup` without it within `limit`,
  // and that stays so, checked over and over, for the whole window.
  void expectSoleMaster(Router& master, Router& backup, milliseconds limit, milliseconds window) {
    ASSERT_TRUE(waitFor(limit, [&] { return master.holdsVip() && !backup.holdsVip(); }))
        << master.name() << " never became the only master\n"
        << logs();
    const auto broken = waitFor(window, [&] { return !master.holdsVip() || backup.holdsVip(); });
    EXPECT_FALSE(broken) << "after " << broken.value_or(0ms).count() << " ms "
                         << (backup.holdsVip() ? backup.name() + " took the VIP too"
                                               : master.name() + " lost the VIP")
                         << "\n"
                         << logs();
  }

  void expectTakeover(Router& router, milliseconds limit) {
    const auto took = waitFor(limit, [&] { return router.holdsVip(); });
    ASSERT_TRUE(took) << router.name() << " did not take the VIP\n" << logs();
  }

  NetNs bridge_{"vvi-br"};
  NetNs vigilNs_{"vvi-v"};
  NetNs keepalivedNs_{"vvi-k"};
  std::string dir_;
  std::unique_ptr<Router> vigil_;
  std::unique_ptr<Router> keepalived_;
};

TEST_P(KeepalivedInteropTest, OneMasterAndTakeoverOnEveryFailure) {
  const InteropCase& c = GetParam();
  if (c.nopreempt) {
    // Whoever is master first stays master: let the master get there alone.
    ASSERT_TRUE(master().start(dir_));
    expectTakeover(master(), c.takeoverBound() + 2s);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(backup().start(dir_));
  } else {
    // The backup first, so it already listens when the master comes.
    ASSERT_TRUE(backup().start(dir_));
    ASSERT_TRUE(master().start(dir_));
  }
  // A backup started last needs its start-up time on top of the window.
  expectSoleMaster(master(), backup(), c.takeoverBound() + 2s,
                   c.nopreempt ? c.takeoverBound() : c.soleMasterWindow());
  if (HasFatalFailure()) return;

  if (c.version == 3) {
    // Unplugged, the master keeps its VIP and the backup takes it too;
    // plugged back, the lower priority yields (split-brain recovery).
    ASSERT_TRUE(setPlugged(masterPort(), false));
    expectTakeover(backup(), c.takeoverBound());
    EXPECT_TRUE(master().holdsVip()) << logs();
    ASSERT_TRUE(setPlugged(masterPort(), true));
    expectSoleMaster(master(), backup(), c.takeoverBound(), 1s);
    if (HasFatalFailure()) return;
  }

  master().kill();
  expectTakeover(backup(), c.takeoverBound());
  if (HasFatalFailure()) return;

  // The old master returns with the higher priority and preempts (a
  // killed keepalived may have left its VIP behind: it must settle).
  ASSERT_TRUE(master().start(dir_));
  if (c.nopreempt) {
    // The returning master hears the lower priority and stays backup, for
    // longer than its Master_Down_Interval; only a stop of the router that
    // took over gives the VIP back.
    expectSoleMaster(backup(), master(), c.takeoverBound(), c.takeoverBound());
    if (HasFatalFailure()) return;
    ASSERT_TRUE(backup().stop());
    EXPECT_FALSE(backup().holdsVip()) << logs();
    expectTakeover(master(), c.advertInterval() + 1500ms);
    return;
  }
  expectSoleMaster(master(), backup(), c.takeoverBound() + 2s, 1s);
  if (HasFatalFailure()) return;

  // Graceful stop: the priority-0 advert makes the backup take over after
  // Skew_Time instead of Master_Down_Interval.
  ASSERT_TRUE(master().stop());
  EXPECT_FALSE(master().holdsVip()) << logs();
  expectTakeover(backup(), c.advertInterval() + 1500ms);
}

// v3 runs every combination; v2 (whole-second intervals, slow) only what
// it adds: multicast without auth, unicast with PASS, AH (IPv4 only); and
// nopreempt once each way.
std::vector<InteropCase> interopCases() {
  std::vector<InteropCase> cases;
  for (Side side : {Side::Vigil, Side::Keepalived}) {
    for (int family : {AF_INET, AF_INET6}) {
      for (bool unicast : {false, true}) cases.push_back({side, 3, family, unicast, Auth::None});
    }
    cases.push_back({side, 2, AF_INET, false, Auth::None});
    cases.push_back({side, 2, AF_INET, true, Auth::Pass});
    cases.push_back({side, 2, AF_INET, false, Auth::Ah});
    cases.push_back({side, 3, AF_INET, false, Auth::None, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Matrix, KeepalivedInteropTest, ::testing::ValuesIn(interopCases()),
                         caseName);

}  // namespace
}  // namespace vigil::test
