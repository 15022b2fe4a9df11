#include "cli/vigild/snmp_service.h"

#include <net/if.h>
#include <unistd.h>

#include "core/log.h"

namespace vigil::cli {
namespace {

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

bool enabled(const config::SnmpSettings& snmp) { return snmp.vrrp || snmp.checker || snmp.rfcV3; }

// VRRPv3-MIB rows are indexed by ifIndex; an interface that does not exist
// (yet) has none.
std::map<std::string, uint32_t> ifIndexes(const config::Config& config) {
  std::map<std::string, uint32_t> out;
  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    if (unsigned index = ::if_nametoindex(instance.interface.c_str()); index != 0) {
      out[instance.interface] = index;
    }
  }
  return out;
}

}  // namespace

SnmpService::SnmpService(EventLoop& loop, Info info) : loop_(loop), info_(std::move(info)) {}

SnmpService::~SnmpService() = default;

void SnmpService::apply(const config::GlobalDefs& global) {
  if (agent_) {
    if (!enabled(global.snmp)) {
      log(LogLevel::Notice,
          "snmp: SNMP is off in this configuration; the AgentX subagent stays connected to {} "
          "and serves no configuration until vigild restarts",
          agent_->socket());
    } else if (global.snmp.socket != agent_->socket()) {
      log(LogLevel::Warning, "snmp: snmp_socket {} takes effect at the next start; still using {}",
          global.snmp.socket, agent_->socket());
    }
    publish();
    return;
  }
  if (!enabled(global.snmp) || loadFailed_) return;
  auto agent = info_.loadAgent({global.snmp.socket, std::chrono::seconds(5)});
  if (!agent) {
    loadFailed_ = true;
    log(LogLevel::Error,
        "snmp: the AgentX subagent cannot start: {}; SNMP stays off until vigild restarts",
        agent.error().message);
    return;
  }
  agent_ = std::move(*agent);
  timer_ = loop_.createTimer([this] {
    publish();
    timer_->armAfter(info_.snapshotInterval);
  });
  timer_->armAfter(info_.snapshotInterval);
  publish();
  log(LogLevel::Info, "snmp: AgentX subagent for KEEPALIVED-MIB and VRRPv3-MIB, master {}",
      global.snmp.socket);
}

void SnmpService::publish() {
  if (!agent_) return;
  for (const std::string& line : agent_->takeEvents()) log(LogLevel::Notice, "{}", line);
  auto source = std::make_shared<monitor::snmp::MibSource>();
  source->config = info_.config();
  source->version = info_.version;
  if (source->config) {
    source->routerId =
        source->config->global.routerId.empty() ? hostName() : source->config->global.routerId;
    if (!enabled(source->config->global.snmp)) source->config.reset();
  }
  if (source->config) source->ifIndexes = ifIndexes(*source->config);
  source->refreshMs = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(info_.snapshotInterval).count());
  for (const WorkerStatus& worker : info_.workers()) {
    if (worker.name == "vrrp") source->vrrpSnapshot = worker.lastSnapshot;
    if (worker.name == "check") source->checkSnapshot = worker.lastSnapshot;
  }
  agent_->publish(std::move(source));
}

}  // namespace vigil::cli
