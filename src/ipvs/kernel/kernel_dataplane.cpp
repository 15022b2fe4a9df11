#include "ipvs/kernel/kernel_dataplane.h"

#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cerrno>
#include <string>

#include "core/netlink/nl_socket.h"
#include "ipvs/kernel/kernel_refusal.h"

namespace vigil::ipvs::kernel {

namespace {

struct CallbackFree {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

// What one exchange collects from libnl's callbacks.
struct ExchangeState {
  const std::function<void(nlmsghdr*)>* onReply = nullptr;
  int kernelErrno = 0;
};

int onValid(nl_msg* msg, void* arg) {
  auto* state = static_cast<ExchangeState*>(arg);
  if (state->onReply != nullptr && *state->onReply) (*state->onReply)(nlmsg_hdr(msg));
  return NL_OK;
}

// Keeps the kernel's errno itself: libnl would turn it into an NLE_* code
// and lose the difference between, say, ESRCH and ENOENT.
int onError(sockaddr_nl*, nlmsgerr* err, void* arg) {
  static_cast<ExchangeState*>(arg)->kernelErrno = -err->error;
  return NL_STOP;
}

std::string describe(std::string_view what) { return "kernel IPVS: " + std::string(what); }

}  // namespace

void KernelDataplane::SocketFree::operator()(nl_sock* sock) const { nl_socket_free(sock); }

KernelDataplane::KernelDataplane(SocketPtr sock, int familyId)
    : sock_(std::move(sock)), familyId_(familyId) {}

KernelDataplane::~KernelDataplane() = default;

Result<std::unique_ptr<KernelDataplane>> openKernelDataplane() {
  KernelDataplane::SocketPtr sock(nl_socket_alloc());
  if (!sock) return Error{ENOMEM, "kernel IPVS: allocating a netlink socket"};
  if (int rc = genl_connect(sock.get()); rc < 0) {
    return netlink::nlError(rc, "kernel IPVS: connecting a generic netlink socket");
  }
  // Dump replies can be larger than libnl's default buffer.
  nl_socket_enable_msg_peek(sock.get());
  int familyId = genl_ctrl_resolve(sock.get(), IPVS_GENL_NAME);
  if (familyId < 0) {
    return Error{EPROTONOSUPPORT,
                 "kernel IPVS: this kernel has no \"IPVS\" generic netlink family (the ip_vs "
                 "module is not loaded and could not be loaded); use `dataplane userspace` for "
                 "vigil's own dataplane, or `dataplane none` to run VRRP and checkers only"};
  }
  return std::unique_ptr<KernelDataplane>(new KernelDataplane(std::move(sock), familyId));
}

bool kernelIpvsAvailable() { return openKernelDataplane().ok(); }

Status KernelDataplane::exchange(Result<NlMsgPtr> request, const ReplyHandler& onReply,
                                 std::string_view what) {
  if (!request) return request.error();
  std::unique_ptr<nl_cb, CallbackFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return Error{ENOMEM, describe(what)};
  ExchangeState state{&onReply};
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, onValid, &state);
  nl_cb_err(cb.get(), NL_CB_CUSTOM, onError, &state);
  ++requestsSent_;
  if (int rc = nl_send_auto(sock_.get(), request->get()); rc < 0) {
    return netlink::nlError(rc, describe(what));
  }
  int rc = nl_recvmsgs(sock_.get(), cb.get());
  if (state.kernelErrno != 0) return Error{state.kernelErrno, describe(what)};
  if (rc < 0) return netlink::nlError(rc, describe(what));
  return {};
}

Result<KernelDataplane::Table> KernelDataplane::dumpTable() {
  std::vector<ReportedService> services;
  std::optional<Error> decodeError;
  auto collectService = [&](nlmsghdr* header) {
    auto reported = decodeServiceReply(header);
    if (reported) {
      services.push_back(std::move(*reported));
    } else if (!decodeError) {
      decodeError = reported.error();
    }
  };
  if (Status s = exchange(encodeServiceDump(familyId_), collectService, "dumping services"); !s) {
    return s.error();
  }
  Table table;
  for (const ReportedService& svc : services) {
    ServiceEntry& entry = table.state.services[svc.key];
    ServiceStats& stats = table.stats.services[svc.key];
    entry.service = svc.service;
    stats.traffic = svc.traffic;
    auto collectDest = [&](nlmsghdr* header) {
      auto reported = decodeDestinationReply(header, svc.key.family);
      if (reported) {
        entry.destinations[reported->key] = reported->destination;
        stats.destinations[reported->key] = reported->stats;
      } else if (!decodeError) {
        decodeError = reported.error();
      }
    };
    std::string what = "dumping destinations of " + toString(svc.key);
    if (Status s = exchange(encodeDestinationDump(familyId_, svc.key), collectDest, what); !s) {
      return s.error();
    }
  }
  // A table read in part would make reconcile add what is already there.
  if (decodeError) return *decodeError;
  echo_.restore(table.state);
  return table;
}

Result<IpvsState> KernelDataplane::read() {
  auto table = dumpTable();
  if (!table) return table.error();
  return std::move(table->state);
}

Result<IpvsStats> KernelDataplane::readStats() {
  auto table = dumpTable();
  if (!table) return table.error();
  return std::move(table->stats);
}

ApplyReport KernelDataplane::apply(const std::vector<Op>& ops) {
  ApplyReport report;
  for (const Op& op : ops) {
    ++report.attempted;
    Status s = exchange(encodeOp(familyId_, op), {}, toString(op));
    if (s) {
      echo_.record(op);
    } else {
      report.failures.push_back({op, explainRefusal(op, s.error())});
    }
  }
  return report;
}

Status KernelDataplane::startSyncDaemon(const SyncDaemonSettings& settings) {
  return exchange(encodeStartDaemon(familyId_, settings), {},
                  "starting the " + std::string(toString(settings.role)) + " sync daemon on " +
                      settings.interface);
}

Status KernelDataplane::stopSyncDaemon(SyncRole role) {
  return exchange(encodeStopDaemon(familyId_, role), {},
                  "stopping the " + std::string(toString(role)) + " sync daemon");
}

Status KernelDataplane::setTimeouts(const LvsTimeouts& timeouts) {
  return exchange(encodeSetTimeouts(familyId_, timeouts), {}, "setting timeouts");
}

Status KernelDataplane::flush() {
  Status s = exchange(newRequest(familyId_, IPVS_CMD_FLUSH), {}, "flushing the table");
  if (s) echo_ = KernelEcho{};
  return s;
}

Status KernelDataplane::zeroCounters() {
  return exchange(newRequest(familyId_, IPVS_CMD_ZERO), {}, "zeroing counters");
}

}  // namespace vigil::ipvs::kernel
