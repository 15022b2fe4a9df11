#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/event_loop.h"
#include "core/netlink/routing_dump.h"
#include "core/unique_fd.h"

namespace vigil::netlink {

// RoutingDumper over a non-blocking rtnetlink socket of its own (one per
// dump), watched by the loop: each dump of the request is sent when the one
// before it is done, and each wake-up reads at most kDatagramsPerWake
// datagrams, so the loop's timers run between them however large the
// tables. The kernel is asked to filter (NETLINK_GET_STRICT_CHK: routes by
// table and protocol) and the answers are filtered again, for kernels that
// do not. A dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the tables
// changed meanwhile) is made again, kMaxAttempts times in all; one that
// takes longer than kTimeout ends with ETIMEDOUT.
class NetlinkRoutingDumper final : public RoutingDumper {
 public:
  static constexpr int kDatagramsPerWake = 8;
  static constexpr int kMaxAttempts = 3;
  static constexpr Duration kTimeout = std::chrono::seconds(5);

  explicit NetlinkRoutingDumper(EventLoop& loop);
  ~NetlinkRoutingDumper() override;

  void dump(const DumpRequest& request, Done done) override;
  void cancel() override;
  bool busy() const override { return static_cast<bool>(done_); }

 private:
  // One RTM_GET* dump: its message, and what its answers must be.
  struct Part {
    uint16_t type = 0;  // RTM_GETADDR, RTM_GETROUTE, RTM_GETRULE
    int family = 0;
    uint32_t table = 0;    // routes
    uint8_t protocol = 0;  // routes
  };

  void start();
  Status sendPart();
  void onReadable();
  // Reads one datagram's messages; false when the dump ended (done_ called)
  // or there is nothing more to read now.
  bool readDatagram();
  // The current part's messages in one datagram; false when it ended the
  // whole dump.
  bool takeMessages(const uint8_t* data, size_t size);
  void keep(nlmsghdr* header);
  // The current part is done: the next one, or the end.
  bool partDone(int error);
  void finish(Result<RoutingDump> result);

  EventLoop& loop_;
  std::vector<Part> parts_;
  size_t part_ = 0;
  uint32_t seq_ = 0;
  int attempts_ = 0;
  bool interrupted_ = false;
  RoutingDump dump_;
  Done done_;
  UniqueFd fd_;
  std::unique_ptr<FdWatch> watch_;
  std::unique_ptr<Timer> deadline_;
  std::vector<uint8_t> buffer_;
};

}  // namespace vigil::netlink
