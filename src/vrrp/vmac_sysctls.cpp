#include "vrrp/vmac_sysctls.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
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
  for (const auto& [base, saved] : bases_) restore(saved.values);
  restore(savedGlobal_);
}

void VmacSysctls::vmacCreated(const std::string& vmac, const std::string& base, int family) {
  set(ipv4Conf(vmac, "arp_ignore"), "1");
  set(ipv4Conf(vmac, "accept_local"), "1");
  set(ipv4Conf(vmac, "rp_filter"), "0");
  if (family == AF_INET) set("net/ipv6/conf/" + vmac + "/disable_ipv6", "1");
  SavedBase& saved = bases_[base];
  if (saved.vmacs++ == 0) {
    for (const auto& [name, value] : kBaseSettings)
      change(ipv4Conf(base, name), value, saved.values);
  }
  if (family == AF_INET && allRpFilter_ == 0) lowerAllRpFilter();
  if (allRpFilter_ > 0) raiseRpFilter(base, saved);
}

void VmacSysctls::vmacRemoved(const std::string& base) {
  auto it = bases_.find(base);
  if (it == bases_.end() || --it->second.vmacs > 0) return;
  restore(it->second.values);
  bases_.erase(it);
  if (bases_.empty()) {
    restore(savedGlobal_);
    savedGlobal_.clear();
    allRpFilter_ = 0;
  }
}

void VmacSysctls::lowerAllRpFilter() {
  auto all = store_.read(ipv4Conf("all", "rp_filter"));
  if (!all) {
    log(LogLevel::Error, "use_vmac: {}", all.error().describe());
    return;
  }
  allRpFilter_ = std::atoi(all->c_str());
  if (allRpFilter_ <= 0) {
    allRpFilter_ = 0;
    return;
  }
  const std::string defaultKey = ipv4Conf("default", "rp_filter");
  if (auto value = store_.read(defaultKey); value && std::atoi(value->c_str()) < allRpFilter_) {
    change(defaultKey, std::to_string(allRpFilter_), savedGlobal_);
  }
  for (auto& [base, saved] : bases_) raiseRpFilter(base, saved);
  change(ipv4Conf("all", "rp_filter"), "0", savedGlobal_);
}

void VmacSysctls::raiseRpFilter(const std::string& base, SavedBase& saved) {
  const std::string key = ipv4Conf(base, "rp_filter");
  if (saved.values.contains(key)) return;
  auto value = store_.read(key);
  if (value && std::atoi(value->c_str()) < allRpFilter_) {
    change(key, std::to_string(allRpFilter_), saved.values);
  }
}

void VmacSysctls::change(const std::string& key, const std::string& value,
                         std::map<std::string, std::string>& saved) {
  auto before = store_.read(key);
  if (!before) {
    log(LogLevel::Error, "use_vmac: {}", before.error().describe());
    return;
  }
  saved.try_emplace(key, *before);
  set(key, value);
}

void VmacSysctls::set(const std::string& key, const std::string& value) {
  if (Status written = store_.write(key, value); !written) {
    log(LogLevel::Error, "use_vmac: {}", written.error().describe());
  }
}

void VmacSysctls::restore(const std::map<std::string, std::string>& saved) {
  for (const auto& [key, value] : saved) set(key, value);
}

}  // namespace vigil::vrrp
