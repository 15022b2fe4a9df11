#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"

// What an integration test needs to run vigild (and the peers it talks to:
// snmpd, an SMTP sink) in a namespace of its own: the namespace, a scratch
// directory for configs, pid files and logs, and the processes it started.
// The destructor SIGKILLs those processes by pid, deletes the namespace and
// removes the directory, so a failing test leaves nothing behind.
namespace vigil::test {

// The whole of a file; empty when it cannot be read.
inline std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class VigildLab {
 public:
  // `nsPrefix` names the namespace (NetNs adds pid and counter); the
  // directory is TMPDIR/`dirPrefix`-PID.
  VigildLab(const std::string& nsPrefix, const std::string& dirPrefix)
      : ns_(nsPrefix),
        dir_(std::filesystem::temp_directory_path() /
             (dirPrefix + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~VigildLab() {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  VigildLab(const VigildLab&) = delete;
  VigildLab& operator=(const VigildLab&) = delete;

  bool ok() const { return ns_.ok(); }
  const NetNs& ns() const { return ns_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
  }
  std::string read(const std::string& name) const { return fileText(dir_ / name); }

  // Runs argv inside the namespace (`ip netns exec` execs it, so the pid is
  // the program's), stdout and stderr to the file `logName` in the
  // directory. Returns the pid, or -1 when fork failed.
  pid_t spawn(const std::vector<std::string>& argv, const std::string& logName) {
    std::vector<std::string> full = {"/usr/bin/ip", "netns", "exec", ns_.name()};
    full.insert(full.end(), argv.begin(), argv.end());
    const std::string log = path(logName);
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
      // O_CLOEXEC and the close: the program gets the log as stdout and
      // stderr only, no third descriptor (SnmpFdInheritanceTest counts them).
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        if (out > STDERR_FILENO) ::close(out);
      }
      std::vector<char*> args;
      for (std::string& a : full) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pids_.push_back(pid);
    return pid;
  }

  // vigild in the foreground on vigil.conf, its pid files vigild.pid,
  // check.pid and vrrp.pid, its log vigild.log.
  pid_t spawnVigild() {
    return spawn({vigild(), "-n", "-l", "-f", path("vigil.conf"), "-p", path("vigild.pid"), "-c",
                  path("check.pid"), "-r", path("vrrp.pid")},
                 "vigild.log");
  }

  // snmpd in the foreground as the AgentX master, on the snmpd.conf of the
  // directory (see snmpdMasterConf), logging to snmpd.log.
  pid_t spawnSnmpd() {
    return spawn({"/usr/sbin/snmpd", "-f", "-C", "-c", path("snmpd.conf"), "-Lf", path("snmpd.log"),
                  "-p", path("snmpd.pid")},
                 "snmpd.out");
  }

  // A veth pair `name`/`peer`, both up, with `cidr` on `name` (and lo up):
  // an interface for a VRRP instance that nothing else hears.
  bool plugVeth(const std::string& name, const std::string& peer, const std::string& cidr) const {
    return ns_.exec("ip link set lo up && ip link add " + name + " type veth peer name " + peer +
                    " && ip link set " + name + " up && ip link set " + peer +
                    " up && ip addr add " + cidr + " dev " + name)
               .exitCode == 0;
  }

  // The named files of the directory, each under its name: what a failed
  // assertion prints.
  std::string describe(std::initializer_list<std::string> names) const {
    std::string out;
    for (const std::string& name : names) out += "\n" + name + ":\n" + read(name);
    return out;
  }

 private:
  NetNs ns_;
  std::filesystem::path dir_;
  std::vector<pid_t> pids_;
};

// snmpd.conf for an AgentX master on the unix socket `socket`, answering
// SNMP on `agentAddress` (e.g. "udp:127.0.0.1:1161") to community public.
inline std::string snmpdMasterConf(const std::string& socket, const std::string& agentAddress) {
  return "master agentx\nagentXSocket unix:" + socket + "\nagentaddress " + agentAddress +
         "\nrocommunity public 127.0.0.1\n";
}

// global_defs for vigild as an AgentX subagent of the master on `socket`,
// with the VRRP and checker MIBs, no dataplane and no metrics listener.
inline std::string snmpGlobalDefs(const std::string& routerId, const std::string& socket) {
  return "global_defs {\n  router_id " + routerId +
         "\n  enable_snmp_vrrp\n  enable_snmp_checker\n  snmp_socket unix:" + socket +
         "\n  dataplane none\n  metrics_listen off\n}\n";
}

}  // namespace vigil::test
