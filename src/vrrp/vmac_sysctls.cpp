#include "vrrp/vmac_sysctls.h"

#include <sys/socket.h>

#include <cerrno>
#include <fstream>
#include <utility>

#include "core/log.h"

namespace vigil::vrrp {
namespace {

// name, value while the base has VMACs.
constexpr std::pair<const char*, const char*> kBaseSettings[] = {
    {"arp_ignore", "1"}, {"arp_filter", "1"}, {"arp_announce", "2"}};

std::string ipv4Conf(const std::string& interface, const std::string& name) {
  return "net/ipv4/conf/" + interface + "/" + name;
}

class ProcSysctlStore final : public SysctlStore {
 public:
  Result<std::string> read(const std::string& key) override {
    std::ifstream in("/proc/sys/" + key);
    std::string value;
    if (!(in >> value)) return Error{errno != 0 ? errno : EIO, "reading /proc/sys/" + key};
    return value;
  }
  Status write(const std::string& key, const std::string& value) override {
    std::ofstream out("/proc/sys/" + key);
    if (!(out << value << '\n') || !out.flush()) {
      return Error{errno != 0 ? errno : EIO, "writing /proc/sys/" + key};
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<SysctlStore> makeProcSysctlStore() { return std::make_unique<ProcSysctlStore>(); }

VmacSysctls::~VmacSysctls() {
  for (const auto& [base, saved] : bases_) restore(saved);
}

void VmacSysctls::vmacCreated(const std::string& vmac, const std::string& base, int family) {
  set(ipv4Conf(vmac, "arp_ignore"), "1");
  set(ipv4Conf(vmac, "accept_local"), "1");
  set(ipv4Conf(vmac, "rp_filter"), "0");
  if (family == AF_INET) set("net/ipv6/conf/" + vmac + "/disable_ipv6", "1");
  SavedBase& saved = bases_[base];
  if (saved.vmacs++ > 0) return;
  for (const auto& [name, value] : kBaseSettings) {
    const std::string key = ipv4Conf(base, name);
    auto before = store_.read(key);
    if (!before) {
      log(LogLevel::Error, "use_vmac: {}", before.error().describe());
      continue;
    }
    saved.values[key] = *before;
    set(key, value);
  }
}

void VmacSysctls::vmacRemoved(const std::string& base) {
  auto it = bases_.find(base);
  if (it == bases_.end() || --it->second.vmacs > 0) return;
  restore(it->second);
  bases_.erase(it);
}

void VmacSysctls::set(const std::string& key, const std::string& value) {
  if (Status written = store_.write(key, value); !written) {
    log(LogLevel::Error, "use_vmac: {}", written.error().describe());
  }
}

void VmacSysctls::restore(const SavedBase& saved) {
  for (const auto& [key, value] : saved.values) set(key, value);
}

}  // namespace vigil::vrrp
