// The kernel IPVS backend against a real kernel. Needs root and the "IPVS"
// generic-netlink family: on hosts without them every test skips; the vm
// tier runs them in a guest with Debian's kernel
// (tests/vm/guest/ipvs_kernel_backend.sh, filter KernelIpvs.*). Each test
// works in its own network namespace, so the host's table is never touched.
#include "ipvs/kernel/kernel_dataplane.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "ipvs/reconcile.h"
#include "support/netns.h"
#include "support/run_command.h"

namespace vigil::ipvs::kernel {
namespace {

using vigil::test::CommandResult;

// A network namespace of the test's own, made by a short-lived thread's
// unshare() and held open by an fd, so no thread of the test binary moves and
// no `ip netns` is needed (the guest's busybox shell has none).
class PrivateNetNs {
 public:
  ~PrivateNetNs() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Creates the namespace and runs `inside` in it (sockets opened there
  // stay there); false when unshare() failed.
  bool create(const std::function<void()>& inside) {
    std::thread helper([&] {
      if (::unshare(CLONE_NEWNET) != 0) return;
      fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      if (fd_ >= 0) inside();
    });
    helper.join();
    return fd_ >= 0;
  }
  // Runs argv (no shell) in the namespace and captures stdout and stderr.
  CommandResult run(const std::vector<std::string>& argv) const {
    int pipeFds[2];
    if (::pipe(pipeFds) != 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(pipeFds[1], 1);
      ::dup2(pipeFds[1], 2);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      if (::setns(fd_, CLONE_NEWNET) == 0) ::execvp(args[0], args.data());
      _exit(127);
    }
    ::close(pipeFds[1]);
    CommandResult result;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof(buffer))) > 0;)
      result.output.append(buffer, n);
    ::close(pipeFds[0]);
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
      result.exitCode = WEXITSTATUS(status);
    }
    return result;
  }

 private:
  int fd_ = -1;
};

// Brings lo up with multicast on (the sync daemon's interface in the tests);
// call inside the namespace.
void loopbackUpWithMulticast() {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (sock >= 0 && ::ioctl(sock, SIOCGIFFLAGS, &request) == 0) {
    request.ifr_flags |= IFF_UP | IFF_MULTICAST;
    (void)::ioctl(sock, SIOCSIFFLAGS, &request);
  }
  if (sock >= 0) ::close(sock);
}

// Words joined by one space: ipvsadm writes "SCTP 10.0.0.1:80" where
// toString(ServiceKey) writes "SCTP  10.0.0.1:80".
std::string singleSpaced(const std::string& text) {
  std::istringstream words(text);
  std::string joined;
  for (std::string w; words >> w;) joined += (joined.empty() ? "" : " ") + w;
  return joined;
}

// Debian 6.1 has no twos (added in 6.2); the guest loads whatever it ships.
bool kernelHasScheduler(const std::string& name) {
  return ::access(("/sys/module/ip_vs_" + name).c_str(), F_OK) == 0;
}

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

Service scheduler(std::string name) {
  Service s;
  s.scheduler = std::move(name);
  return s;
}

Destination weighted(uint32_t weight, ForwardingMethod forwarding) {
  Destination d;
  d.weight = weight;
  d.forwarding = forwarding;
  return d;
}

class KernelIpvs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!vigil::test::runningAsRoot()) GTEST_SKIP() << "needs root";
    if (!kernelIpvsAvailable()) GTEST_SKIP() << "no IPVS generic netlink family on this kernel";
    Result<std::unique_ptr<KernelDataplane>> opened = Error{};
    ASSERT_TRUE(ns_.create([&] {
      loopbackUpWithMulticast();
      opened = openKernelDataplane();  // its socket stays in the namespace
    }));
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    dp_ = std::move(*opened);
  }

  // `ipvsadm -Ln` in the test's namespace, as sorted blocks of tokens: each
  // service line, then its destinations' address, forwarding and weight
  // (the connection counters are dropped).
  std::set<std::vector<std::string>> ipvsadmBlocks() {
    auto listed = ns_.run({"ipvsadm", "-Ln"});
    EXPECT_EQ(listed.exitCode, 0) << listed.output;
    std::set<std::vector<std::string>> blocks;
    std::vector<std::string> block;
    std::vector<std::string> dests;
    auto flush = [&] {
      if (block.empty()) return;
      std::sort(dests.begin(), dests.end());
      block.insert(block.end(), dests.begin(), dests.end());
      blocks.insert(block);
      block.clear();
      dests.clear();
    };
    std::istringstream lines(listed.output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::vector<std::string> tokens;
      for (std::string w; words >> w;) tokens.push_back(w);
      if (tokens.empty() || tokens[0] == "IP" || tokens[0] == "Prot" ||
          (tokens.size() > 1 && tokens[1] == "RemoteAddress:Port")) {
        continue;
      }
      if (tokens[0] == "->") {
        dests.push_back(tokens.at(1) + " " + tokens.at(2) + " " + tokens.at(3));
      } else {
        flush();
        block.push_back(singleSpaced(line));
      }
    }
    flush();
    return blocks;
  }

  // The same blocks from the model: ipvsadm names services as toString(key)
  // does and prints scheduler and persistence after it.
  static std::set<std::vector<std::string>> expectedBlocks(const IpvsState& state) {
    std::set<std::vector<std::string>> blocks;
    for (const auto& [key, entry] : state.services) {
      std::string head = toString(key) + " " + entry.service.scheduler;
      if (entry.service.persistent()) {
        head += " persistent " + std::to_string(entry.service.persistenceTimeout);
        if (key.family == AF_INET && entry.service.netmaskPrefix == 24)
          head += " mask 255.255.255.0";
      }
      std::vector<std::string> block{singleSpaced(head)};
      std::vector<std::string> dests;
      for (const auto& [destKey, dest] : entry.destinations) {
        dests.push_back(toString(destKey) + " " + std::string(toString(dest.forwarding)) + " " +
                        std::to_string(dest.weight));
      }
      std::sort(dests.begin(), dests.end());
      block.insert(block.end(), dests.begin(), dests.end());
      blocks.insert(block);
    }
    return blocks;
  }

  PrivateNetNs ns_;
  std::unique_ptr<KernelDataplane> dp_;
};

// Every kernel scheduler on its own service, each forwarding method, a tunnel
// to an IPv6 real server, fwmark services of both families and IPv6.
IpvsState everyKind() {
  IpvsState state;
  const char* schedulers[] = {"rr", "wrr", "lc",  "wlc", "lblc", "lblcr", "dh",
                              "sh", "mh",  "sed", "nq",  "fo",   "ovf",   "twos"};
  const ForwardingMethod methods[] = {ForwardingMethod::Nat, ForwardingMethod::DirectRouting,
                                      ForwardingMethod::Tunnel};
  uint8_t octet = 1;
  for (const char* name : schedulers) {
    if (!kernelHasScheduler(name)) continue;
    ServiceKey key =
        ServiceKey::forAddress(Protocol::Tcp, ip("10.250.0." + std::to_string(octet)), 80);
    ServiceEntry& entry = state.services[key];
    entry.service = scheduler(name);
    ForwardingMethod m = methods[octet % 3];
    entry.destinations[{ip("10.250.1.2"), 80}] = weighted(1, m);
    entry.destinations[{ip("10.250.1.3"), 80}] = weighted(octet, m);
    ++octet;
  }
  Service persistent = scheduler("sh");
  persistent.persistenceTimeout = 300;
  persistent.netmaskPrefix = 24;
  state.services[ServiceKey::forAddress(Protocol::Udp, ip("10.250.0.100"), 0)] = {
      persistent, {{{ip("10.250.1.2"), 0}, weighted(2, ForwardingMethod::DirectRouting)}}};
  Destination gue = weighted(3, ForwardingMethod::Tunnel);
  gue.tunnelType = TunnelType::Gue;
  gue.tunnelPort = 6080;
  gue.tunnelChecksum = TunnelChecksum::Checksum;
  state.services[ServiceKey::forAddress(Protocol::Sctp, ip("10.250.0.101"), 3868)] = {
      scheduler("rr"),
      {{{ip("2001:db8:250::2"), 3868}, weighted(1, ForwardingMethod::Tunnel)},
       {{ip("10.250.1.4"), 3868}, gue}}};
  Service v6 = scheduler("wlc");
  v6.netmaskPrefix = 128;
  state.services[ServiceKey::forAddress(Protocol::Tcp, ip("2001:db8:250::1"), 443)] = {
      v6, {{{ip("2001:db8:250::2"), 443}, weighted(5, ForwardingMethod::Nat)}}};
  state.services[ServiceKey::forFwmark(AF_INET, 7)] = {
      scheduler("wrr"), {{{ip("10.250.1.2"), 0}, weighted(1, ForwardingMethod::DirectRouting)}}};
  state.services[ServiceKey::forFwmark(AF_INET6, 8)] = {
      v6, {{{ip("2001:db8:250::3"), 0}, weighted(1, ForwardingMethod::DirectRouting)}}};
  return state;
}

TEST_F(KernelIpvs, AppliesEveryKindOfServiceAndReadsItBackExactly) {
  IpvsState desired = everyKind();
  SyncReport first = sync(*dp_, desired);
  ASSERT_TRUE(first.ok()) << first.status().error().describe();
  EXPECT_GT(first.opsIssued, desired.services.size());

  auto read = dp_->read();
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_EQ(toText(*read), toText(desired));
  EXPECT_EQ(ipvsadmBlocks(), expectedBlocks(desired));
}

TEST_F(KernelIpvs, ApplyingTheSameStateAgainSendsOnlyTheReads) {
  IpvsState desired = everyKind();
  ASSERT_TRUE(sync(*dp_, desired).ok());
  size_t before = dp_->requestsSent();
  SyncReport again = sync(*dp_, desired);
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(again.opsIssued, 0u);
  // One service dump and one destination dump per service: nothing else.
  EXPECT_EQ(dp_->requestsSent() - before, 1 + desired.services.size());
}

TEST_F(KernelIpvs, AWeightChangeIsOneEdit) {
  IpvsState desired = everyKind();
  ASSERT_TRUE(sync(*dp_, desired).ok());
  auto& entry = desired.services.begin()->second;
  entry.destinations.begin()->second.weight = 9;
  SyncReport change = sync(*dp_, desired);
  EXPECT_TRUE(change.ok());
  EXPECT_EQ(change.opsIssued, 1u);
  EXPECT_EQ(*dp_->read(), desired);
}

TEST_F(KernelIpvs, AFailedOpCarriesTheKernelErrnoAndDoesNotStopTheRest) {
  ServiceKey missing = ServiceKey::forAddress(Protocol::Tcp, ip("10.250.9.9"), 80);
  ServiceKey present = ServiceKey::forAddress(Protocol::Tcp, ip("10.250.9.10"), 80);
  ApplyReport report =
      dp_->apply({AddDestination{missing, {ip("10.250.1.2"), 80}, Destination{}},
                  AddService{present, scheduler("rr")}, AddService{present, scheduler("rr")}});
  EXPECT_EQ(report.attempted, 3u);
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_EQ(report.failures[0].error.code, ESRCH);
  EXPECT_EQ(report.failures[1].error.code, EEXIST);
  EXPECT_EQ(dp_->read()->services.count(present), 1u);
}

TEST_F(KernelIpvs, StatsCoverEveryServiceAndDestination) {
  IpvsState desired = everyKind();
  ASSERT_TRUE(sync(*dp_, desired).ok());
  auto stats = dp_->readStats();
  ASSERT_TRUE(stats.ok()) << stats.error().describe();
  ASSERT_EQ(stats->services.size(), desired.services.size());
  for (const auto& [key, entry] : desired.services) {
    EXPECT_EQ(stats->services.at(key).destinations.size(), entry.destinations.size());
  }
  EXPECT_TRUE(dp_->zeroCounters().ok());
}

TEST_F(KernelIpvs, FlushEmptiesTheTable) {
  ASSERT_TRUE(sync(*dp_, everyKind()).ok());
  ASSERT_TRUE(dp_->flush().ok());
  EXPECT_TRUE(dp_->read()->services.empty());
}

TEST_F(KernelIpvs, SyncDaemonStartsAndStopsInEachRole) {
  SyncDaemonSettings settings;
  settings.interface = "lo";
  settings.syncId = 42;
  settings.port = 8850;
  for (SyncRole role : {SyncRole::Master, SyncRole::Backup}) {
    settings.role = role;
    Status started = dp_->startSyncDaemon(settings);
    ASSERT_TRUE(started.ok()) << started.error().describe();
    EXPECT_EQ(dp_->startSyncDaemon(settings).error().code, EEXIST) << toString(role);
    auto shown = ns_.run({"ipvsadm", "-L", "--daemon"});
    EXPECT_NE(shown.output.find(std::string(toString(role)) + " sync daemon"), std::string::npos)
        << shown.output;
    EXPECT_TRUE(dp_->stopSyncDaemon(role).ok());
  }
}

TEST_F(KernelIpvs, TimeoutsAreSet) {
  ASSERT_TRUE(dp_->setTimeouts({900, 60, 200}).ok());
  auto shown = ns_.run({"ipvsadm", "-L", "--timeout"});
  EXPECT_NE(shown.output.find("900 60 200"), std::string::npos) << shown.output;
}

}  // namespace
}  // namespace vigil::ipvs::kernel

namespace vigil::ipvs::kernel {
namespace {

// Where the kernel has no IPVS (the development machines), start-up says so
// and names the alternatives.
TEST(KernelIpvsMissing, OpeningSaysIpvsIsMissingAndNamesTheAlternatives) {
  auto opened = openKernelDataplane();
  if (opened.ok()) GTEST_SKIP() << "this kernel has IPVS";
  EXPECT_EQ(opened.error().code, EPROTONOSUPPORT) << opened.error().describe();
  EXPECT_NE(opened.error().message.find("\"IPVS\""), std::string::npos);
  EXPECT_NE(opened.error().message.find("dataplane userspace"), std::string::npos);
  EXPECT_NE(opened.error().message.find("dataplane none"), std::string::npos);
}

}  // namespace
}  // namespace vigil::ipvs::kernel
