#include "ipvs/kernel/kernel_settings.h"

#include <chrono>

namespace vigil::ipvs::kernel {

namespace {

uint32_t seconds(const std::optional<Duration>& d) {
  if (!d || d->count() <= 0) return 0;
  return static_cast<uint32_t>(std::chrono::ceil<std::chrono::seconds>(*d).count());
}

}  // namespace

SyncDaemonSettings syncDaemonSettings(const config::LvsSyncDaemon& daemon, SyncRole role) {
  SyncDaemonSettings s;
  s.role = role;
  s.interface = daemon.interface;
  s.syncId = daemon.syncId;
  s.maxLength = daemon.maxLen.value_or(0);
  s.port = daemon.port;
  s.ttl = daemon.ttl.value_or(0);
  s.group = daemon.group;
  return s;
}

LvsTimeouts lvsTimeouts(const config::LvsTimeouts& timeouts) {
  return {seconds(timeouts.tcp), seconds(timeouts.tcpFin), seconds(timeouts.udp)};
}

}  // namespace vigil::ipvs::kernel
