#include "ipvs/kernel/kernel_sync_daemon.h"

#include <linux/ip_vs.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <string>

#include "core/netlink/nl_socket.h"

namespace vigil::ipvs::kernel {
namespace {

struct CallbackFree {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

// The kernel's errno as it sent it (libnl would map it to an NLE_* code).
int onError(sockaddr_nl*, nlmsgerr* err, void* arg) {
  *static_cast<int*>(arg) = -err->error;
  return NL_STOP;
}

std::string describe(std::string_view what) { return "kernel IPVS: " + std::string(what); }

}  // namespace

void KernelSyncDaemon::SocketFree::operator()(nl_sock* sock) const { nl_socket_free(sock); }

KernelSyncDaemon::KernelSyncDaemon(std::chrono::milliseconds replyTimeout)
    : replyTimeout_(replyTimeout) {}

KernelSyncDaemon::~KernelSyncDaemon() = default;

Status KernelSyncDaemon::connect() {
  if (sock_) return {};
  std::unique_ptr<nl_sock, SocketFree> sock(nl_socket_alloc());
  if (!sock) return Error{ENOMEM, describe("allocating a netlink socket")};
  if (int rc = genl_connect(sock.get()); rc < 0) {
    return netlink::nlError(rc, describe("connecting a generic netlink socket"));
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(replyTimeout_).count();
  timeval timeout{static_cast<time_t>(micros / 1000000),
                  static_cast<suseconds_t>(micros % 1000000)};
  const int fd = nl_socket_get_fd(sock.get());
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0) {
    return errnoError(describe("setting the reply timeout"));
  }
  const int familyId = genl_ctrl_resolve(sock.get(), IPVS_GENL_NAME);
  if (familyId < 0) {
    return Error{EPROTONOSUPPORT,
                 describe("this kernel has no \"IPVS\" generic netlink family (the ip_vs module "
                          "is not loaded and could not be loaded)")};
  }
  sock_ = std::move(sock);
  familyId_ = familyId;
  return {};
}

Status KernelSyncDaemon::exchange(const Build& build, std::string_view what) {
  if (Status connected = connect(); !connected) return connected;
  auto request = build(familyId_);
  if (!request) return request.error();
  std::unique_ptr<nl_cb, CallbackFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return Error{ENOMEM, describe(what)};
  int kernelErrno = 0;
  nl_cb_err(cb.get(), NL_CB_CUSTOM, onError, &kernelErrno);
  int rc = nl_send_auto(sock_.get(), request->get());
  if (rc >= 0) rc = nl_recvmsgs(sock_.get(), cb.get());
  if (kernelErrno != 0) return Error{kernelErrno, describe(what)};
  if (rc < 0) {
    sock_.reset();  // timed out or broken: what it still holds is stale
    return netlink::nlError(rc, describe(what));
  }
  return {};
}

Status KernelSyncDaemon::start(const SyncDaemonSettings& settings) {
  return exchange([&](int family) { return encodeStartDaemon(family, settings); },
                  "starting the " + std::string(toString(settings.role)) + " sync daemon on " +
                      settings.interface);
}

Status KernelSyncDaemon::stop(SyncRole role) {
  Status s = exchange([&](int family) { return encodeStopDaemon(family, role); },
                      "stopping the " + std::string(toString(role)) + " sync daemon");
  if (!s && s.error().code == ESRCH) return {};
  return s;
}

}  // namespace vigil::ipvs::kernel
