#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "ipvs/kernel/ipvs_message.h"

struct nl_sock;

namespace vigil::ipvs::kernel {

// The kernel's IPVS connection-sync daemons and nothing else, for the VRRP
// worker, whose loop must never wait long. Its own generic-netlink socket
// waits at most `replyTimeout` for each reply; after a timeout the socket is
// dropped (a late ack would be read as the next request's reply) and the
// next call connects again. Connecting is lazy, so a kernel without IPVS
// costs nothing until a daemon is wanted, and every call then fails with
// the same error.
class KernelSyncDaemon {
 public:
  static constexpr std::chrono::milliseconds kReplyTimeout{2000};

  explicit KernelSyncDaemon(std::chrono::milliseconds replyTimeout = kReplyTimeout);
  ~KernelSyncDaemon();
  KernelSyncDaemon(const KernelSyncDaemon&) = delete;
  KernelSyncDaemon& operator=(const KernelSyncDaemon&) = delete;

  // IPVS_CMD_NEW_DAEMON in `settings.role`.
  Status start(const SyncDaemonSettings& settings);
  // IPVS_CMD_DEL_DAEMON; a daemon that is not running (ESRCH) is stopped.
  Status stop(SyncRole role);

 private:
  struct SocketFree {
    void operator()(nl_sock* sock) const;
  };
  using Build = std::function<Result<NlMsgPtr>(int familyId)>;

  Status connect();
  // Sends the request and waits for the kernel's ack or error (its errno).
  Status exchange(const Build& build, std::string_view what);

  std::chrono::milliseconds replyTimeout_;
  std::unique_ptr<nl_sock, SocketFree> sock_;
  int familyId_ = -1;
};

}  // namespace vigil::ipvs::kernel
