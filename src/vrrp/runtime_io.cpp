#include "vrrp/runtime_io.h"

#include "core/log.h"

namespace vigil::vrrp {
namespace {

std::string describe(const std::vector<config::VirtualAddress>& vips,
                     const std::string& defaultDev) {
  std::string out;
  for (const auto& vip : vips) {
    if (!out.empty()) out += ", ";
    out += vip.prefix.toString() + " dev " + (vip.dev.empty() ? defaultDev : vip.dev);
  }
  return out;
}

}  // namespace

std::string_view name(NotifyKind kind) {
  switch (kind) {
    case NotifyKind::Master:
      return "MASTER";
    case NotifyKind::Backup:
      return "BACKUP";
    case NotifyKind::Fault:
      return "FAULT";
    case NotifyKind::Stop:
      return "STOP";
    case NotifyKind::MasterRxLowerPriority:
      return "MASTER_RX_LOWER_PRI";
  }
  return "UNKNOWN";
}

void LoggingVipInstaller::add(const std::vector<config::VirtualAddress>& vips,
                              const std::string& defaultDev, std::optional<Duration> lifetime) {
  log(LogLevel::Debug, "VIPs (not installed: no address manager): add {} lifetime {} ms",
      describe(vips, defaultDev),
      lifetime ? std::chrono::duration_cast<std::chrono::milliseconds>(*lifetime).count() : -1);
}

void LoggingVipInstaller::remove(const std::vector<config::VirtualAddress>& vips,
                                 const std::string& defaultDev) {
  log(LogLevel::Debug, "VIPs (not installed: no address manager): remove {}",
      describe(vips, defaultDev));
}

void LoggingVipAnnouncer::announce(const std::vector<config::VirtualAddress>& vips,
                                   const std::string& defaultDev, GratuitousReason) {
  log(LogLevel::Debug, "gratuitous ARP/NA not sent (no sender): {}", describe(vips, defaultDev));
}

void LoggingTransitionNotifier::notify(const config::VrrpInstance& instance, NotifyKind kind,
                                       uint8_t priority) {
  logTransition(instance.name, kind, priority);
}

void logTransition(const std::string& instance, NotifyKind kind, uint8_t priority) {
  if (kind == NotifyKind::MasterRxLowerPriority) {
    log(LogLevel::Info, "VRRP_Instance({}) master received a lower-priority advert", instance);
    return;
  }
  log(LogLevel::Notice, "VRRP_Instance({}) Entering {} STATE (priority {})", instance, name(kind),
      priority);
}

}  // namespace vigil::vrrp
