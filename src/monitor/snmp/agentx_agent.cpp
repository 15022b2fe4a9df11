#include "monitor/snmp/agentx_agent.h"

// net-snmp needs its config header first.
// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
// clang-format on
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <utility>

namespace vigil::monitor::snmp {
namespace {

constexpr const char* kAppName = "vigild";

void setValue(netsnmp_variable_list* vb, const MibValue& value) {
  switch (value.type) {
    case MibType::Integer: {
      long v = static_cast<long>(value.number);
      snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v);
      return;
    }
    case MibType::Unsigned: {
      u_long v = static_cast<u_long>(value.number);
      snmp_set_var_typed_value(vb, ASN_GAUGE, &v, sizeof v);
      return;
    }
    case MibType::OctetString:
      snmp_set_var_typed_value(vb, ASN_OCTET_STR, value.text.data(), value.text.size());
      return;
    case MibType::Counter32: {
      u_long v = static_cast<u_long>(value.number);
      snmp_set_var_typed_value(vb, ASN_COUNTER, &v, sizeof v);
      return;
    }
    case MibType::Counter64: {
      const auto v = static_cast<uint64_t>(value.number);
      counter64 c{};
      c.high = static_cast<u_long>(v >> 32);
      c.low = static_cast<u_long>(v & 0xffffffffu);
      snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof c);
      return;
    }
    case MibType::TimeTicks: {
      u_long v = static_cast<u_long>(value.number);
      snmp_set_var_typed_value(vb, ASN_TIMETICKS, &v, sizeof v);
      return;
    }
  }
}

std::vector<oid> toNetSnmp(const Oid& name) { return {name.begin(), name.end()}; }

// SNMPv2-MIB snmpTrapOID.0.
const Oid kSnmpTrapOid = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

// Hands one notification to the master (an AgentX Notify PDU); net-snmp adds
// sysUpTime.0.
void sendNotification(const Notification& n) {
  netsnmp_variable_list* vars = nullptr;
  std::vector<oid> name = toNetSnmp(kSnmpTrapOid);
  std::vector<oid> trap = toNetSnmp(n.trapOid);
  snmp_varlist_add_variable(&vars, name.data(), name.size(), ASN_OBJECT_ID,
                            reinterpret_cast<const u_char*>(trap.data()),
                            trap.size() * sizeof(oid));
  for (const auto& [object, value] : n.varbinds) {
    name = toNetSnmp(object);
    netsnmp_variable_list* vb =
        snmp_varlist_add_variable(&vars, name.data(), name.size(), ASN_NULL, nullptr, 0);
    if (vb != nullptr) setValue(vb, value);
  }
  send_v2trap(vars);
  snmp_free_varbind(vars);
}

Oid toOid(const netsnmp_variable_list* vb) {
  Oid out;
  out.reserve(vb->name_length);
  for (size_t i = 0; i < vb->name_length; ++i) {
    out.push_back(static_cast<uint32_t>(std::min<oid>(vb->name[i], UINT32_MAX)));
  }
  return out;
}

int handleRequests(netsnmp_mib_handler* handler, netsnmp_handler_registration* registration,
                   netsnmp_agent_request_info* info, netsnmp_request_info* requests) {
  auto* agent = static_cast<AgentxAgent*>(handler->myvoid);
  Oid root;
  for (size_t i = 0; i < registration->rootoid_len; ++i) {
    root.push_back(static_cast<uint32_t>(registration->rootoid[i]));
  }
  const MibTree& objects = agent->current();
  for (netsnmp_request_info* r = requests; r != nullptr; r = r->next) {
    if (r->processed) continue;
    netsnmp_variable_list* vb = r->requestvb;
    switch (info->mode) {
      case MODE_GET: {
        auto it = objects.find(toOid(vb));
        if (it == objects.end()) {
          netsnmp_set_request_error(info, r, SNMP_NOSUCHINSTANCE);
        } else {
          setValue(vb, it->second);
        }
        break;
      }
      case MODE_GETNEXT: {
        // Leaving the varbind untouched sends the walk on to the next
        // registration.
        auto it = nextUnder(objects, root, toOid(vb));
        if (it != objects.end()) {
          std::vector<oid> name(it->first.begin(), it->first.end());
          snmp_set_var_objid(vb, name.data(), name.size());
          setValue(vb, it->second);
        }
        break;
      }
      default:
        netsnmp_set_request_error(info, r, SNMP_ERR_NOTWRITABLE);
    }
  }
  return SNMP_ERR_NOERROR;
}

// net-snmp opens its AgentX socket without SOCK_CLOEXEC. Workers forked
// later close every inherited descriptor (closeInheritedFds), but anything
// that forks and execs without that sweep would hand the master connection
// to a stranger, so every descriptor net-snmp watches is marked close-on-exec
// as soon as it shows up in snmp_select_info.
void markCloseOnExec(const fd_set& watched, int count) {
  for (int fd = 0; fd < count; ++fd) {
    if (!FD_ISSET(fd, &watched)) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) (void)::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

AgentxAgent* gAgent = nullptr;  // for the connect callbacks; one agent per process

int onIndexStart(int, int, void*, void*) {
  if (gAgent != nullptr) gAgent->noteConnected(true);
  return 0;
}

int onIndexStop(int, int, void*, void*) {
  if (gAgent != nullptr) gAgent->noteConnected(false);
  return 0;
}

}  // namespace

AgentxAgent::AgentxAgent(Options options) : options_(std::move(options)) {
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

AgentxAgent::~AgentxAgent() {
  stop_ = true;
  uint64_t one = 1;
  if (wakeFd_ >= 0) (void)!::write(wakeFd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  if (wakeFd_ >= 0) ::close(wakeFd_);
}

void AgentxAgent::publish(std::shared_ptr<const MibSource> source) {
  {
    std::lock_guard lock(mutex_);
    source_ = std::move(source);
    fresh_ = true;
  }
  uint64_t one = 1;
  if (wakeFd_ >= 0) (void)!::write(wakeFd_, &one, sizeof one);
}

void AgentxAgent::refresh() {
  // The source is let go once built from: it shares the workers' snapshot
  // texts with the supervisor, whose next patch edits a text in place only
  // when nobody else holds it.
  std::shared_ptr<const MibSource> source;
  {
    std::lock_guard lock(mutex_);
    if (!fresh_) return;
    fresh_ = false;
    source = std::move(source_);
  }
  MibTree next;
  if (source) {
    next = mib_.build(*source);
    next.merge(vrrpv3_.build(*source));
  }
  const bool traps = source && source->config && source->config->global.snmp.traps;
  if (traps) queue(notificationsBetween(tree_, next));
  tree_ = std::move(next);
}

void AgentxAgent::queue(std::vector<Notification> notifications) {
  size_t dropped = 0;
  for (Notification& n : notifications) {
    if (pending_.size() == kMaxPending) {
      pending_.pop_front();
      ++dropped;
    }
    pending_.push_back(std::move(n));
  }
  if (dropped == 0) return;
  std::lock_guard lock(mutex_);
  events_.push_back("snmp: dropped " + std::to_string(dropped) +
                    " notifications while the AgentX master was away (" +
                    std::to_string(kMaxPending) + " wait at most)");
}

void AgentxAgent::sendPending() {
  if (!connected_) return;
  while (!pending_.empty()) {
    sendNotification(pending_.front());
    pending_.pop_front();
  }
}

std::vector<std::string> AgentxAgent::takeEvents() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

void AgentxAgent::noteConnected(bool connected) {
  if (connected == connected_ && reported_) return;
  std::string line;
  if (connected) {
    line = "snmp: AgentX subagent registered with the master at " + options_.socket;
  } else if (connected_) {
    line = "snmp: lost the AgentX master at " + options_.socket + "; retrying every " +
           std::to_string(options_.pingInterval.count()) + " s";
  } else {
    line = "snmp: cannot reach the AgentX master at " + options_.socket + "; retrying every " +
           std::to_string(options_.pingInterval.count()) + " s";
  }
  connected_ = connected;
  reported_ = true;
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(line));
}

void AgentxAgent::run() {
  gAgent = this;
  snmp_disable_log();  // outcomes are reported through takeEvents()
  netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
  netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                        options_.socket.c_str());
  netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                     static_cast<int>(options_.pingInterval.count()));
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, onIndexStart,
                         nullptr);
  snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, onIndexStop,
                         nullptr);
  init_agent(kAppName);

  for (const auto& [label, root] :
       {std::pair{"keepalived", kKeepalivedRoot}, std::pair{"vrrpv3", kVrrpv3Root}}) {
    std::vector<oid> name = toNetSnmp(root);
    netsnmp_handler_registration* registration = netsnmp_create_handler_registration(
        label, handleRequests, name.data(), name.size(), HANDLER_CAN_RONLY);
    registration->handler->myvoid = this;
    netsnmp_register_handler(registration);
  }
  init_snmp(kAppName);
  if (!reported_) noteConnected(false);

  while (!stop_) {
    int fds = 0;
    int block = 0;
    fd_set readable;
    FD_ZERO(&readable);
    timeval timeout{1, 0};
    snmp_select_info(&fds, &readable, &timeout, &block);
    markCloseOnExec(readable, fds);
    const timeval cap{1, 0};  // re-checks stop_ at least once a second
    if (block != 0 || timercmp(&timeout, &cap, >)) timeout = cap;
    FD_SET(wakeFd_, &readable);
    fds = std::max(fds, wakeFd_ + 1);
    int ready = ::select(fds, &readable, nullptr, nullptr, &timeout);
    refresh();
    if (ready > 0) {
      if (FD_ISSET(wakeFd_, &readable)) {
        uint64_t drained = 0;
        (void)!::read(wakeFd_, &drained, sizeof drained);
      }
      snmp_read(&readable);
    } else if (ready == 0) {
      snmp_timeout();
    }
    run_alarms();
    netsnmp_check_outstanding_agent_requests();
    sendPending();
  }
  snmp_shutdown(kAppName);
  gAgent = nullptr;
}

}  // namespace vigil::monitor::snmp
