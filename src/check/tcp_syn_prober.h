#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "check/probe.h"
#include "check/tcp_syn_packet.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"

// The I/O of the half-open ("SYN") TCP_CHECK, shared by every such probe on
// a loop: one raw TCP socket per family sends crafted SYNs and hears the
// SYN-ACKs and RSTs that answer them. No socket owns the half-open
// connection, so the kernel answers a SYN-ACK with a RST itself and the
// server's half-open entry goes away; the checker skips the connect,
// handshake, RST and socket work of a connect() check.
//
// Every probe of a family uses one source port, reserved by a TCP socket
// bound (not listening) to it so the kernel never picks it for its own
// connections; replies are told apart by the server's address and port and
// by acknowledging the probe's unpredictable sequence number. Sends asked
// for in one loop turn go out together with sendmmsg(2).
namespace vigil {
class JsonWriter;
}  // namespace vigil

namespace vigil::check {

// What a TcpSynProbe needs of the prober: an interface so the probe's
// retransmit timing is tested on a simulated loop without raw sockets.
class SynSender {
 public:
  class Client {
   public:
    // The SYN was answered (Open, Refused), or could not be sent
    // (`sendError` set, verdict Unrelated). Runs on the loop, never inside
    // send().
    virtual void onSynVerdict(SynVerdict verdict, int sendError) = 0;

   protected:
    ~Client() = default;
  };

  // What resend() and cancel() need to find a probe in flight; id 0: none.
  struct Handle {
    IpAddress target;
    uint16_t port = 0;
    uint64_t id = 0;
    explicit operator bool() const { return id != 0; }
  };

  // Queues a SYN to target address:port from the target's bindto (else
  // the route's source) for this loop turn. The verdict goes to `client`
  // unless cancel(handle) comes first; a failure to pick a source or to
  // send is reported the same way.
  virtual Handle send(const config::ProbeTarget& target, Client& client) = 0;
  // Sends the SYN of `handle` (in flight, unanswered) again with the same
  // sequence number, so a reply to either copy answers it; the source is
  // looked up afresh. A no-op once the probe was answered or cancelled.
  virtual void resend(const Handle& handle, const config::ProbeTarget& target) = 0;
  // The probe gave up, for its checker's reason; only AbortReason::Timeout
  // counts as a timeout.
  virtual void cancel(const Handle& handle, AbortReason why) = 0;

 protected:
  ~SynSender() = default;
};

class TcpSynProber final : public SynSender {
 public:
  // What the prober did since it was made; the check worker's snapshot
  // publishes them (vigil_check_syn_*_total, doc/monitoring.md).
  struct Counters {
    uint64_t synsSent = 0;        // SYNs handed to the kernel, retransmits included
    uint64_t retransmits = 0;     // of those, second and later copies
    uint64_t synAcks = 0;         // probes answered by a SYN-ACK (up)
    uint64_t resets = 0;          // probes answered by a RST (refused)
    uint64_t timeouts = 0;        // probes whose attempt timed out unanswered
    uint64_t repliesDropped = 0;  // SYN-ACKs/RSTs matching no probe in flight
    uint64_t sendErrors = 0;      // SYNs that could not be sent (no source, send failed)
  };

  // A source address kept this long before asking the routing table again:
  // a changed route or address (or a reload that changed them) is seen
  // within that time without a lookup per probe.
  static constexpr Duration kRouteCacheTtl = std::chrono::seconds(30);

  explicit TcpSynProber(EventLoop& loop);
  ~TcpSynProber();
  TcpSynProber(const TcpSynProber&) = delete;
  TcpSynProber& operator=(const TcpSynProber&) = delete;

  // Opens `family`'s raw socket, reserves its source port and attaches the
  // reply filter, once. Fails without CAP_NET_RAW; the caller then keeps
  // connect() checks.
  Status open(int family);
  // open(), tried once per family: later calls answer from the first
  // result, and the first failure is logged (once).
  bool usable(int family);

  Handle send(const config::ProbeTarget& target, Client& client) override;
  void resend(const Handle& handle, const config::ProbeTarget& target) override;
  void cancel(const Handle& handle, AbortReason why) override;

  uint16_t sourcePort(int family) const;
  const Counters& counters() const { return counters_; }

 private:
  struct Family;
  struct Pending {
    uint64_t id = 0;
    uint32_t seq = 0;
    Client* client = nullptr;
  };
  struct TargetKey {
    IpAddress address;
    uint16_t port = 0;
    bool operator==(const TargetKey&) const = default;
  };
  struct TargetKeyHash {
    size_t operator()(const TargetKey& key) const;
    size_t operator()(const IpAddress& address) const;
  };
  struct Route {
    IpAddress source;
    TimePoint resolved{};
  };

  Family* familyOf(int family);
  Result<IpAddress> sourceFor(const config::ProbeTarget& target);
  Pending* findPending(const TargetKey& key, uint64_t id);
  void enqueue(Family& family, const TargetKey& key, uint64_t id, const IpAddress& source,
               uint32_t seq);
  void flush();
  void flushFamily(Family& family);
  void onReadable(Family& family);
  void deliver(const TargetKey& key, const SynReply& reply);
  void failLater(const TargetKey& key, uint64_t id, int error);
  uint32_t nextSeq();

  EventLoop& loop_;
  std::unique_ptr<Family> v4_;
  std::unique_ptr<Family> v6_;
  std::unordered_map<TargetKey, std::vector<Pending>, TargetKeyHash> pending_;
  std::unordered_map<IpAddress, Route, TargetKeyHash> routes_;
  std::array<uint64_t, 2> secret_{};
  uint64_t counter_ = 0;
  Counters counters_;
  uint64_t nextId_ = 1;
  bool flushPosted_ = false;
  std::array<std::optional<bool>, 2> usable_;  // IPv4, IPv6: open() succeeded
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// The counters as the check worker's snapshot carries them: key "tcp_syn"
// and an object of *_total-less names (syns_sent, retransmits, syn_acks,
// resets, timeouts, replies_dropped, send_errors).
void writeSynCounters(JsonWriter& out, const TcpSynProber::Counters& counters);

}  // namespace vigil::check
