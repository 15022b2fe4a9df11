#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "check/probe.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"

// What the socket-based probes (SMTP_CHECK, DNS_CHECK, UDP_CHECK,
// PING_CHECK) share: opening a socket with the target's bind options, and
// the bookkeeping of one attempt on the loop.
namespace vigil::check {

// A sockaddr for address:port (the family's any-address when `address` is
// empty), scoped to `ifindex` when it is a link-local IPv6 address. Writes
// only the returned length of `out`.
socklen_t fillSockaddr(sockaddr_storage& out, int family, const IpAddress& address, uint16_t port,
                       unsigned ifindex);

// Applies the target's bind options to `fd` (fwmark: SO_MARK; bind_if:
// SO_BINDTODEVICE; bindto / bind_port: bind(2)). Returns the bind_if's
// index (0 without one), the scope of a link-local target.
Result<unsigned> applyBindOptions(int fd, const config::ProbeTarget& target);

// Starts the connect of `fd` to target address:port. Returns whether it
// already completed (false: a stream connect is in progress).
Result<bool> startConnect(int fd, const config::ProbeTarget& target, unsigned ifindex);

struct ProbeSocket {
  UniqueFd fd;
  bool connected = false;  // false: a stream connect is in progress
};

// A non-blocking socket of `type`/`protocol` in the target's family with
// its bind options applied (fwmark: SO_MARK; bind_if: SO_BINDTODEVICE and
// the scope of a link-local target; bindto / bind_port: bind(2)), connected
// to target address:port. Datagram sockets connect at once; a connected
// datagram socket is what turns ICMP errors into ECONNREFUSED and friends.
Result<ProbeSocket> openProbeSocket(const config::ProbeTarget& target, int type, int protocol);

// The failure a socket error reads as: ECONNREFUSED is Refused, the rest a
// NetworkError.
ProbeResult socketFailure(const Error& error);

// One attempt in flight at a time, on a socket watched by the loop: keeps
// the `done` callback, drops results of an aborted attempt, and releases
// the socket. Concrete probes call begin() from start() and finish() (or
// finishLater() from inside start()) exactly once per attempt.
class SocketProbe : public Probe {
 public:
  explicit SocketProbe(EventLoop& loop) : loop_(loop) {}
  ~SocketProbe() override;
  SocketProbe(const SocketProbe&) = delete;
  SocketProbe& operator=(const SocketProbe&) = delete;

  void abort(AbortReason reason) final;

 protected:
  // Forgets any earlier attempt and keeps `done` for this one.
  void begin(Done done);
  // Releases the socket and reports, unless the attempt was aborted.
  void finish(ProbeResult result);
  // finish() from a posted callback: `done` never runs inside start().
  void finishLater(ProbeResult result);
  // Reads one datagram (or what a stream has) into `buffer` and returns
  // the bytes. nullopt when nothing is left to read, or when the read
  // failed: the attempt is then finished with that failure.
  std::optional<std::span<const uint8_t>> receive(std::span<uint8_t> buffer);
  // Watches fd_ for `events`; `onEvents` runs on the loop.
  void watch(uint32_t events, std::function<void(uint32_t)> onEvents);
  // Closes the socket and whatever a subclass holds for the attempt.
  virtual void release();

  EventLoop& loop_;
  UniqueFd fd_;
  std::unique_ptr<FdWatch> watch_;

 private:
  Done done_;
  uint64_t attempt_ = 0;  // bumped by begin() and abort(): stale posts are dropped
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vigil::check
