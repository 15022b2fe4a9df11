#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/unique_fd.h"

namespace vigil::netlink {

// A plain NETLINK_ROUTE socket that sends one request at a time and waits
// for its acknowledgement (NLM_F_ACK), as libnl's nl_send_sync does but
// without its message objects and receive callbacks. It joins no multicast
// group, so all it reads are answers to its own requests. A receive waits
// at most kAckTimeout: the VRRP loop must never hang on a kernel that does
// not answer; a late answer is told apart by its sequence number.
class RouteRequestSocket {
 public:
  static constexpr int kAckTimeoutMs = 1000;

  static Result<RouteRequestSocket> open();

  // Stamps `message` (one netlink request asking for NLM_F_ACK) with this
  // socket's next sequence number, sends it and waits for its
  // acknowledgement: an Error with the errno the kernel refused it with
  // (and an empty message: the caller knows what it asked), or the errno
  // the send or receive failed with, or ETIMEDOUT, and a message saying
  // which.
  Status request(std::span<uint8_t> message);

 private:
  explicit RouteRequestSocket(UniqueFd fd) : fd_(std::move(fd)) {}

  UniqueFd fd_;
  uint32_t seq_ = 1;
};

}  // namespace vigil::netlink
