#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ipvs/dataplane.h"
#include "ipvs/kernel/ipvs_message.h"
#include "ipvs/kernel/kernel_echo.h"

struct nl_sock;

namespace vigil::ipvs::kernel {

// The kernel's IPVS table over the "IPVS" generic-netlink family. Every call
// is one or more blocking request/reply exchanges on its own socket; the
// kernel answers them at once, so the check worker may call it from its loop.
//
// read() reports the table canonical (model.h), with what the kernel does not
// echo restored from what this instance wrote (KernelEcho), so read() after
// apply() reconciles to no ops.
class KernelDataplane final : public Dataplane {
 public:
  ~KernelDataplane() override;

  Result<IpvsState> read() override;
  ApplyReport apply(const std::vector<Op>& ops) override;
  std::string_view name() const override { return "kernel"; }
  Result<IpvsStats> readStats() override;

  // The connection-sync daemon in `settings.role` (IPVS_CMD_NEW_DAEMON).
  // Master and backup are separate kernel threads: changing role is
  // stopSyncDaemon(old) then startSyncDaemon(new).
  Status startSyncDaemon(const SyncDaemonSettings& settings);
  Status stopSyncDaemon(SyncRole role);
  // `lvs_timeouts` (IPVS_CMD_SET_CONFIG); zero fields stay as they are.
  Status setTimeouts(const LvsTimeouts& timeouts);
  // Deletes every service and destination (IPVS_CMD_FLUSH).
  Status flush();
  // Zeroes every counter (IPVS_CMD_ZERO).
  Status zeroCounters();

  // Requests sent to the kernel since construction: applying a table that is
  // already there sends only the dump requests of read().
  size_t requestsSent() const { return requestsSent_; }
  // The resolved generic-netlink id of "IPVS".
  int familyId() const { return familyId_; }

 private:
  struct SocketFree {
    void operator()(nl_sock* sock) const;
  };
  using SocketPtr = std::unique_ptr<nl_sock, SocketFree>;
  using ReplyHandler = std::function<void(nlmsghdr*)>;

  struct Table {
    IpvsState state;
    IpvsStats stats;
  };

  KernelDataplane(SocketPtr sock, int familyId);
  friend Result<std::unique_ptr<KernelDataplane>> openKernelDataplane();

  // Sends `request` and hands each reply message to `onReply` (dumps) until
  // the kernel's ack, done or error; the error carries the kernel's errno.
  Status exchange(Result<NlMsgPtr> request, const ReplyHandler& onReply, std::string_view what);
  Result<Table> dumpTable();

  SocketPtr sock_;
  int familyId_;
  KernelEcho echo_;
  size_t requestsSent_ = 0;
};

// Connects to the kernel's "IPVS" family. Fails (ENOENT) with an error that
// says IPVS is missing and names the alternatives when the family cannot be
// resolved: no ip_vs module and none loadable.
Result<std::unique_ptr<KernelDataplane>> openKernelDataplane();

// True when the "IPVS" family resolves on this host (for tests that need the
// real kernel backend and skip without it).
bool kernelIpvsAvailable();

}  // namespace vigil::ipvs::kernel
