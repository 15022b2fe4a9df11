#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event_loop.h"
#include "core/ip_address.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "vrrp/advert_backlog.h"
#include "vrrp/arrival_dating.h"
#include "vrrp/ip_header.h"
#include "vrrp/packet.h"
#include "vrrp/routine_filter.h"
#include "vrrp/runtime_io.h"
#include "vrrp/socket_dispatch.h"

// The OS shell around the codec: one raw IPPROTO_VRRP socket per
// (interface, family), shared by every instance on it, and for IPv4 a
// second raw socket for IP protocol 51 that receives v2 adverts behind an
// AH header (keepalived's auth_type AH); both feed one dispatcher, which
// parses the IP header and leaves the ICV to the instance's key.
//
// IPv4: IP_HDRINCL, so vigil writes the IP header as keepalived does (TOS
// 0xc0, TTL 255 or unicast_ttl, AH when configured) and reads it back on
// receive. IPv6: the kernel writes the header; vigil computes the VRRPv3
// checksum itself (IPV6_CHECKSUM is not set, so the kernel neither fills
// nor verifies it), picks the source with IPV6_PKTINFO and learns hop limit
// and destination from IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO. Multicast loop
// is off; the socket is bound to its interface with SO_BINDTODEVICE.
//
// Quiet backups: one more raw IPPROTO_VRRP socket of the family, not
// watched by the loop, holds the adverts a Backup's healthy master sends (see
// RoutineAdvert); socket filters send each advert to exactly one of the
// two. Instances drain it (AdvertBacklog) when their Master_Down_Timer runs
// out and before any other event, and the prompt socket drains it before
// each of its own adverts, so adverts are handled in arrival order, each
// at its kernel receive time (SO_TIMESTAMPNS), while a backup wakes once
// per Master_Down_Interval instead of once per advert.
namespace vigil::vrrp {

// One datagram a VrrpSocket sends again and again: its bytes, its
// destination and, for IPv6, its source and hop limit, in a msghdr built
// once (VrrpSocket::prepareIpv4/prepareIpv6), so a MASTER's advert costs
// one sendmsg and nothing more. The msghdr points into the datagram
// itself, so it is neither copied nor moved.
class PreparedDatagram {
 public:
  PreparedDatagram() = default;
  PreparedDatagram(const PreparedDatagram&) = delete;
  PreparedDatagram& operator=(const PreparedDatagram&) = delete;

 private:
  friend class VrrpSocket;
  // IPV6_PKTINFO (the source) and IPV6_HOPLIMIT.
  static constexpr size_t kControlSize = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int));

  std::vector<uint8_t> bytes_;
  IpAddress destination_;  // to_, for the error a failed send returns
  sockaddr_storage to_{};
  iovec iov_{};
  alignas(cmsghdr) std::array<uint8_t, kControlSize> control_{};
  msghdr msg_{};
};

class VrrpSocket final : public AdvertBacklog {
 public:
  // `interface` may be empty for interface-less unicast (no binding, no
  // group). `groups`: multicast groups to join on the interface.
  static Result<std::unique_ptr<VrrpSocket>> open(EventLoop& loop, const std::string& interface,
                                                  int family, const std::vector<IpAddress>& groups);
  ~VrrpSocket();

  // IPv4: a whole IP packet (IP_HDRINCL) to `destination`. The kernel
  // fills in the header checksum, and the IP id when it is zero (raw(7)).
  void prepareIpv4(PreparedDatagram& out, std::span<const uint8_t> ipPacket,
                   const IpAddress& destination) const;
  // IPv6: the VRRP message from `source` to `destination` with `hopLimit`.
  void prepareIpv6(PreparedDatagram& out, std::span<const uint8_t> vrrp, const IpAddress& source,
                   const IpAddress& destination, uint8_t hopLimit) const;
  Status send(const PreparedDatagram& datagram);

  // A reload changed the multicast groups of the instances on this socket:
  // joins or leaves `group` on the interface (on the AH socket too), so the
  // socket and the instances on it stay.
  Status joinGroup(const IpAddress& group) { return setMembership(group, true); }
  Status leaveGroup(const IpAddress& group) { return setMembership(group, false); }

  // The quiet path for the instances on this socket; null without one
  // (the quiet socket could not be opened).
  AdvertBacklog* backlog() { return quietFd_ ? this : nullptr; }
  void drain() override;
  void routineChanged() override;
  // Adverts handed over by drains, and the drains that found any.
  uint64_t quietAdverts() const { return quietAdverts_; }
  uint64_t quietDrains() const { return quietDrains_; }

  AdvertDispatcher& dispatcher() { return dispatcher_; }
  const AdvertDispatcher& dispatcher() const { return dispatcher_; }
  const std::string& interface() const { return interface_; }
  int family() const { return family_; }

 private:
  // What prepareIpv4 and prepareIpv6 share: `bytes` to `destination`
  // (its family picks the sockaddr), the msghdr without control data.
  void aim(PreparedDatagram& out, std::span<const uint8_t> bytes,
           const IpAddress& destination) const;
  VrrpSocket(EventLoop& loop, UniqueFd fd, UniqueFd ahFd, UniqueFd quietFd, std::string interface,
             int family, unsigned ifindex);
  struct ReceiveBatch;
  Status setMembership(const IpAddress& group, bool join);
  void onReadable(int fd);
  // One recvmmsg; returns how many datagrams it delivered.
  size_t receiveBatch(int fd);
  void deliver(const ReceiveBatch& batch, size_t index, TimePoint now);
  // One recvmmsg on the quiet socket, each datagram at its arrival time.
  size_t drainBatch();

  EventLoop& loop_;
  UniqueFd fd_;       // IPPROTO_VRRP: sends everything, receives plain adverts
  UniqueFd ahFd_;     // IPv4 only: receives AH-carrying adverts
  UniqueFd quietFd_;  // the routine adverts (see routineChanged)
  std::string interface_;
  int family_;
  unsigned ifindex_;
  AdvertDispatcher dispatcher_;
  std::unique_ptr<FdWatch> watch_;
  std::unique_ptr<FdWatch> ahWatch_;
  std::unique_ptr<ReceiveBatch> batch_;  // recvmmsg buffers, reused
  std::unique_ptr<ReceiveBatch> quietBatch_;
  RoutineFilterPair filters_;  // what the filters now route to quietFd_
  // The quiet socket may hold adverts: it has a rule, or had one since the
  // last drain that found it empty.
  bool quietPending_ = false;
  bool draining_ = false;
  ArrivalDating dating_;     // the quiet socket's arrival times
  uint32_t quietDrops_ = 0;  // the quiet socket's overflow drops so far
  uint64_t quietAdverts_ = 0;
  uint64_t quietDrains_ = 0;
  RateLimitedLog filterLog_{5, std::chrono::seconds(60)};
};

// An instance's adverts through a VrrpSocket: to the multicast group, or
// to each unicast peer with unicast_ttl. A master sends the same advert
// every Advertisement_Interval, so prepare() encodes it once per
// destination (an IPv4 one with IP id 0, which the kernel fills in, and
// the header checksum it rewrites anyway) and send() hands the same
// prepared datagrams to the kernel until the next prepare() or
// setOptions(). AH adverts are encoded at each send (a new sequence number
// and ICV over a header with its own IP id).
class SocketAdvertSender final : public AdvertSender {
 public:
  struct Options {
    IpAddress source;
    std::vector<IpAddress> destinations;
    uint8_t ttl = kVrrpTtl;
    bool v3ChecksumAsV2 = false;
    AuthData ahKey{};  // used when the packet says AuthType::Ah
  };
  // AH sequence numbers continue from firstAhSequence(now), so a restart
  // is heard by a keepalived peer that remembers the previous run's.
  SocketAdvertSender(VrrpSocket& socket, Options options);
  void prepare(const VrrpPacket& packet) override;
  Status send() override;
  // A reload changed the peers, TTL or key; the socket stays. The prepared
  // advert is encoded again for them.
  void setOptions(Options options);

 private:
  // Encodes packet_ for every destination into prepared_ (or encodeError_).
  void encodeAll();
  Status sendAh();
  Ipv4Header ipv4HeaderTo(const IpAddress& destination) const;
  uint8_t ttlTo(const IpAddress& destination) const {
    return destination.isMulticast() ? kVrrpTtl : options_.ttl;
  }

  VrrpSocket& socket_;
  Options options_;
  uint16_t ipId_ = 0;  // AH adverts' (the ICV covers the id)
  uint32_t ahSequence_ = 0;
  std::optional<VrrpPacket> packet_;  // the last prepare()'s
  // packet_ encoded, in the order of options_.destinations (not for AH).
  std::vector<std::unique_ptr<PreparedDatagram>> prepared_;
  std::optional<Error> encodeError_;  // why packet_ could not be encoded
  PreparedDatagram ahDatagram_;       // reused by each AH send
};

// The address adverts come from when mcast_src_ip/unicast_src_ip is not
// given: the interface's first IPv4 address, or its IPv6 link-local one.
Result<IpAddress> interfaceSourceAddress(const std::string& interface, int family);

}  // namespace vigil::vrrp
