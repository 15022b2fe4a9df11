#include "core/netlink/route_request_socket.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>

#include "core/netlink/address_request.h"

namespace vigil::netlink {
namespace {

// An error acknowledgement echoes the request (NETLINK_CAP_ACK trims it
// where the kernel supports that) and may carry extended-ack attributes.
constexpr size_t kReceiveBytes = 4096;
// Stale answers (to requests that timed out) skipped before giving up.
constexpr int kMaxReads = 16;

}  // namespace

Result<RouteRequestSocket> RouteRequestSocket::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return errnoError("netlink: opening a NETLINK_ROUTE socket");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns one
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    return errnoError("netlink: binding a NETLINK_ROUTE socket");
  }
  const int one = 1;
  // Best effort: older kernels echo the whole request, which fits anyway.
  (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  timeval timeout{};
  timeout.tv_sec = kAckTimeoutMs / 1000;
  timeout.tv_usec = (kAckTimeoutMs % 1000) * 1000;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    return errnoError("netlink: setting a receive timeout");
  }
  return RouteRequestSocket(std::move(fd));
}

Status RouteRequestSocket::request(std::span<uint8_t> message) {
  const uint32_t seq = seq_++;
  setSequence(message, seq);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(fd_.get(), message.data(), message.size(), 0,
                    reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errnoError("sending the request");
  std::array<uint8_t, kReceiveBytes> buffer;
  for (int read = 0; read < kMaxReads; ++read) {
    const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return Error{ETIMEDOUT, "no answer from the kernel within 1 s"};
      }
      return errnoError("reading the answer");
    }
    std::optional<int> error =
        acknowledgement(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(got)), seq);
    if (!error) continue;  // an answer to an earlier request that timed out
    if (*error != 0) return Error{*error, ""};
    return {};
  }
  return Error{EPROTO, "no acknowledgement among the kernel's answers"};
}

}  // namespace vigil::netlink
