#include "vrrp/socket.h"

#include <ifaddrs.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"

namespace vigil::vrrp {
namespace {

constexpr size_t kMaxPacket = 2048;
// Datagrams per recvmmsg. A batch that comes back short means the queue was
// empty, so a backup reads one advert with one call instead of a recvmsg
// and a second one that only says EAGAIN, and 100 instances' adverts take
// 7 calls instead of 101.
constexpr size_t kBatchSize = 16;
// Bounds one readiness callback so a flood cannot starve the timers.
constexpr size_t kMaxReadsPerWakeup = 64;
constexpr size_t kControlSize = 256;
// Bounds one drain of the quiet socket (its buffer holds fewer).
constexpr size_t kMaxDrainBatches = 512;
// The quiet socket holds a Master_Down_Interval of adverts (3 to 4 per
// instance): room for kMaxRoutineAdverts instances' with margin. Root may
// exceed net.core.rmem_max (SO_RCVBUFFORCE); otherwise it caps this.
constexpr int kQuietReceiveBuffer = 4 << 20;

Status attachFilter(int fd, const std::vector<sock_filter>& program) {
  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   const_cast<sock_filter*>(program.data())};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0)
    return errnoError("SO_ATTACH_FILTER");
  return {};
}

Status setInt(int fd, int level, int option, int value, const char* what) {
  if (::setsockopt(fd, level, option, &value, sizeof value) != 0) return errnoError(what);
  return {};
}

// Joins (or leaves) `group` on the interface `ifindex`; the family is the
// group's. The one place vigil changes a socket's multicast membership.
Status setMembership(int fd, unsigned ifindex, const IpAddress& group, bool join) {
  if (group.isV4()) {
    ip_mreqn request{};
    std::memcpy(&request.imr_multiaddr, group.bytes(), 4);
    request.imr_ifindex = static_cast<int>(ifindex);
    const int option = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
    if (::setsockopt(fd, IPPROTO_IP, option, &request, sizeof request) != 0)
      return errnoError((join ? "IP_ADD_MEMBERSHIP " : "IP_DROP_MEMBERSHIP ") + group.toString());
    return {};
  }
  ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, group.bytes(), 16);
  request.ipv6mr_interface = ifindex;
  const int option = join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP;
  if (::setsockopt(fd, IPPROTO_IPV6, option, &request, sizeof request) != 0)
    return errnoError((join ? "IPV6_JOIN_GROUP " : "IPV6_LEAVE_GROUP ") + group.toString());
  return {};
}

Status configureIpv4(int fd, unsigned ifindex, const std::vector<IpAddress>& groups) {
  if (Status s = setInt(fd, IPPROTO_IP, IP_HDRINCL, 1, "IP_HDRINCL"); !s) return s;
  if (Status s = setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, kVrrpTtl, "IP_MULTICAST_TTL"); !s)
    return s;
  if (Status s = setInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP"); !s) return s;
  if (ifindex == 0) return {};
  ip_mreqn iface{};
  iface.imr_ifindex = static_cast<int>(ifindex);
  if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) != 0)
    return errnoError("IP_MULTICAST_IF");
  for (const IpAddress& group : groups) {
    if (Status s = setMembership(fd, ifindex, group, true); !s) return s;
  }
  return {};
}

Status configureIpv6(int fd, unsigned ifindex, const std::vector<IpAddress>& groups) {
  if (Status s = setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kVrrpTtl, "IPV6_MULTICAST_HOPS"); !s)
    return s;
  if (Status s = setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP"); !s)
    return s;
  if (Status s = setInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"); !s) return s;
  if (Status s = setInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO"); !s) return s;
  if (ifindex == 0) return {};
  if (Status s = setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(ifindex),
                        "IPV6_MULTICAST_IF");
      !s)
    return s;
  for (const IpAddress& group : groups) {
    if (Status s = setMembership(fd, ifindex, group, true); !s) return s;
  }
  return {};
}

// `filter`: attached before the socket joins anything, so nothing it
// would drop is ever queued.
Result<UniqueFd> openRaw(int family, int protocol, const std::string& interface, unsigned ifindex,
                         const std::vector<IpAddress>& groups,
                         const std::vector<sock_filter>* filter = nullptr) {
  UniqueFd fd(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!fd) return errnoError(protocol == kIpProtoAh ? "raw AH socket" : "raw VRRP socket");
  if (filter != nullptr) {
    if (Status s = attachFilter(fd.get(), *filter); !s) return s.error();
    // What any interface delivered between socket() and the filter.
    std::array<uint8_t, kMaxPacket> discard;
    while (::recv(fd.get(), discard.data(), discard.size(), MSG_DONTWAIT) >= 0) {
    }
  }
  if (!interface.empty() && ::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                                         static_cast<socklen_t>(interface.size())) != 0) {
    return errnoError("SO_BINDTODEVICE " + interface);
  }
  Status configured = family == AF_INET ? configureIpv4(fd.get(), ifindex, groups)
                                        : configureIpv6(fd.get(), ifindex, groups);
  if (!configured) return configured.error();
  return fd;
}

// The quiet socket: drops everything until routineChanged() gives it
// rules, and dates each datagram with its kernel receive time.
Result<UniqueFd> openQuiet(int family, const std::string& interface, unsigned ifindex,
                           const std::vector<IpAddress>& groups) {
  const std::vector<sock_filter> nothing = routineFilter({}, FilterSide::Quiet, family);
  auto fd = openRaw(family, kIpProtoVrrp, interface, ifindex, groups, &nothing);
  if (!fd) return fd;
  if (Status s = setInt(fd->get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS"); !s)
    return s.error();
  if (!setInt(fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, kQuietReceiveBuffer, "SO_RCVBUFFORCE")) {
    (void)setInt(fd->get(), SOL_SOCKET, SO_RCVBUF, kQuietReceiveBuffer, "SO_RCVBUF");
  }
  return fd;
}

// The kernel receive time (system clock) of a datagram, from its
// SCM_TIMESTAMPNS; nullopt without one.
std::optional<std::chrono::nanoseconds> receiveTime(const msghdr& msg) {
  for (const cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec ts{};
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
  return std::nullopt;
}

std::chrono::nanoseconds systemNow() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The datagrams the kernel dropped for a full receive buffer since the
// socket opened (SO_MEMINFO; filter drops are not counted). SO_RXQ_OVFL
// would not do: it reports the count on each datagram queued, so the
// drops after the last one queued, the newest adverts, would not show.
std::optional<uint32_t> socketDrops(int fd) {
  std::array<uint32_t, SK_MEMINFO_VARS> info{};
  socklen_t size = sizeof info;
  if (::getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info.data(), &size) != 0 ||
      size < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) {
    return std::nullopt;
  }
  return info[SK_MEMINFO_DROPS];
}

}  // namespace

Result<std::unique_ptr<VrrpSocket>> VrrpSocket::open(EventLoop& loop, const std::string& interface,
                                                     int family,
                                                     const std::vector<IpAddress>& groups) {
  unsigned ifindex = 0;
  if (!interface.empty()) {
    ifindex = ::if_nametoindex(interface.c_str());
    if (ifindex == 0) return errnoError("interface " + interface);
  }
  auto fd = openRaw(family, kIpProtoVrrp, interface, ifindex, groups);
  if (!fd) return fd.error();
  // keepalived's auth_type AH puts the advert behind an IPsec AH header
  // (IP protocol 51), which a protocol-112 socket never sees.
  UniqueFd ahFd;
  if (family == AF_INET) {
    auto ah = openRaw(family, kIpProtoAh, interface, ifindex, groups);
    if (!ah) return ah.error();
    ahFd = std::move(*ah);
  }
  // Without a quiet socket every advert is prompt, as before.
  UniqueFd quietFd;
  if (auto quiet = openQuiet(family, interface, ifindex, groups)) {
    quietFd = std::move(*quiet);
  } else {
    log(LogLevel::Warning, "vrrp: {}: no quiet socket, every advert wakes the worker: {}",
        interface, quiet.error().describe());
  }
  return std::unique_ptr<VrrpSocket>(new VrrpSocket(
      loop, std::move(*fd), std::move(ahFd), std::move(quietFd), interface, family, ifindex));
}

VrrpSocket::VrrpSocket(EventLoop& loop, UniqueFd fd, UniqueFd ahFd, UniqueFd quietFd,
                       std::string interface, int family, unsigned ifindex)
    : loop_(loop),
      fd_(std::move(fd)),
      ahFd_(std::move(ahFd)),
      quietFd_(std::move(quietFd)),
      interface_(std::move(interface)),
      family_(family),
      ifindex_(ifindex),
      filters_(family, [this](FilterSide side, const std::vector<sock_filter>& program) {
        return attachFilter(side == FilterSide::Quiet ? quietFd_.get() : fd_.get(), program);
      }) {
  watch_ = loop_.watchFd(fd_.get(), EPOLLIN, [this](uint32_t) { onReadable(fd_.get()); });
  if (ahFd_) {
    ahWatch_ = loop_.watchFd(ahFd_.get(), EPOLLIN, [this](uint32_t) { onReadable(ahFd_.get()); });
  }
}

VrrpSocket::~VrrpSocket() = default;

Status VrrpSocket::setMembership(const IpAddress& group, bool join) {
  if (ifindex_ == 0) return Error{0, "no interface to join " + group.toString() + " on"};
  if (Status s = vrrp::setMembership(fd_.get(), ifindex_, group, join); !s) return s;
  if (ahFd_) {
    if (Status s = vrrp::setMembership(ahFd_.get(), ifindex_, group, join); !s) return s;
  }
  if (quietFd_) return vrrp::setMembership(quietFd_.get(), ifindex_, group, join);
  return {};
}

// Buffers for one recvmmsg, set up once per socket; the kernel writes only
// the slots it fills, so the unused ones cost address space, not memory.
struct VrrpSocket::ReceiveBatch {
  std::array<std::array<uint8_t, kMaxPacket>, kBatchSize> packets;
  std::array<sockaddr_storage, kBatchSize> from;
  struct alignas(cmsghdr) Control {
    std::array<uint8_t, kControlSize> bytes;
  };
  std::array<Control, kBatchSize> control;
  std::array<iovec, kBatchSize> iov;
  std::array<mmsghdr, kBatchSize> headers;

  ReceiveBatch() {
    for (size_t i = 0; i < kBatchSize; ++i) {
      iov[i] = {packets[i].data(), kMaxPacket};
      msghdr& msg = headers[i].msg_hdr;
      msg = {};
      msg.msg_name = &from[i];
      msg.msg_iov = &iov[i];
      msg.msg_iovlen = 1;
      msg.msg_control = control[i].bytes.data();
    }
  }
  // recvmmsg writes back the name and control lengths of the slots it
  // fills: reset those before the next call. Only those: a backup receives
  // one advert per wake-up, and its caches are cold after 10 ms of other
  // processes, so each of the 16 headers (64 bytes each) rewritten for
  // nothing would be a cache miss.
  void reset() {
    for (size_t i = 0; i < filled; ++i) {
      msghdr& msg = headers[i].msg_hdr;
      msg.msg_namelen = sizeof(sockaddr_storage);
      msg.msg_controllen = kControlSize;
      msg.msg_flags = 0;
      headers[i].msg_len = 0;
    }
    filled = 0;
  }
  // Slots the last call may have written (every slot before the first).
  size_t filled = kBatchSize;
};

void VrrpSocket::onReadable(int fd) {
  // Queued routine adverts are older than what woke us: handle them first
  // (a priority-0 advert must not be overtaken by its master's last ones).
  drain();
  for (size_t read = 0; read < kMaxReadsPerWakeup;) {
    const size_t got = receiveBatch(fd);
    read += got;
    if (got < kBatchSize) return;  // drained; epoll reports what comes next
  }
}

size_t VrrpSocket::receiveBatch(int fd) {
  if (!batch_) batch_ = std::make_unique<ReceiveBatch>();
  batch_->reset();
  const int n = ::recvmmsg(fd, batch_->headers.data(), kBatchSize, MSG_DONTWAIT, nullptr);
  // A failed call writes nothing back; count the first slot all the same.
  batch_->filled = std::max<size_t>(n > 0 ? static_cast<size_t>(n) : 0, 1);
  if (n <= 0) return 0;  // EAGAIN, or an error the next wakeup repeats
  // One receive time for the batch: the instance steps its state machine and
  // arms its timers from it, and the dispatcher rate-limits its logging by
  // it. Every datagram of the batch had arrived when the call returned.
  const TimePoint now = loop_.now();
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) deliver(*batch_, i, now);
  return static_cast<size_t>(n);
}

void VrrpSocket::drain() {
  if (!quietFd_ || !quietPending_ || draining_) return;
  draining_ = true;
  // The loop's clock and the system clock read together convert kernel
  // receive times (see ArrivalDating: a stepped system clock or an
  // overflow dates the drain's adverts at now, never earlier).
  dating_.beginDrain(loop_.now(), systemNow());
  size_t drained = 0;
  for (size_t batches = 0; batches < kMaxDrainBatches; ++batches) {
    const size_t got = drainBatch();
    drained += got;
    if (got < kBatchSize) break;
  }
  if (drained > 0) {
    ++quietDrains_;
    quietAdverts_ += drained;
  } else if (filters_.installed().empty()) {
    quietPending_ = false;  // no rule, and nothing left from the last ones
  }
  draining_ = false;
}

size_t VrrpSocket::drainBatch() {
  if (!quietBatch_) quietBatch_ = std::make_unique<ReceiveBatch>();
  ReceiveBatch& batch = *quietBatch_;
  batch.reset();
  const int n = ::recvmmsg(quietFd_.get(), batch.headers.data(), kBatchSize, MSG_DONTWAIT, nullptr);
  batch.filled = std::max<size_t>(n > 0 ? static_cast<size_t>(n) : 0, 1);
  if (n <= 0) return 0;
  // Read after the batch: a drop before any advert of it was read shows.
  const std::optional<uint32_t> drops = socketDrops(quietFd_.get());
  if (!drops || *drops != quietDrops_) dating_.distrust();
  if (drops) quietDrops_ = *drops;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    deliver(batch, i, dating_.date(receiveTime(batch.headers[i].msg_hdr)));
  }
  return static_cast<size_t>(n);
}

void VrrpSocket::routineChanged() {
  if (!quietFd_) return;
  std::vector<RoutineAdvert> wanted;
  for (const InstanceRuntime* runtime : dispatcher_.instances()) {
    if (const auto& routine = runtime->routineAdvert()) wanted.push_back(*routine);
  }
  const size_t capBefore = filters_.cap();
  const Status s = filters_.update(wanted);
  if (filters_.cap() < capBefore) {
    // Only when the cap drops: a few times in a socket's life at most.
    log(LogLevel::Warning,
        "vrrp: {}: socket filters fit only {} routine advert rules (net.core.optmem_max); "
        "the adverts of further backups wake the worker",
        interface_, filters_.cap());
  }
  if (!s) {
    filterLog_.log(loop_.now().time_since_epoch(), LogLevel::Warning,
                   "vrrp: {}: cannot route routine adverts to the quiet "
                   "socket, every advert "
                   "wakes the worker: {}",
                   interface_, s.error().describe());
    // Prompt takes everything (the quiet socket may hold some first:
    // quietPending_ stays until a drain finds it empty).
    filters_.reset();
    return;
  }
  if (!filters_.installed().empty() && !quietPending_) {
    // Nothing queued from here on arrived earlier.
    dating_.restart(loop_.now(), systemNow());
    quietPending_ = true;
  }
}

void VrrpSocket::deliver(const ReceiveBatch& batch, size_t index, TimePoint now) {
  const mmsghdr& header = batch.headers[index];
  const auto bytes = std::span<const uint8_t>(batch.packets[index].data(), header.msg_len);
  if (family_ == AF_INET) {
    dispatcher_.receiveIpv4(bytes, now);
    return;
  }
  const msghdr& msg = header.msg_hdr;
  const auto* from6 = reinterpret_cast<const sockaddr_in6*>(&batch.from[index]);
  IpAddress source = IpAddress::fromBytes(AF_INET6, from6->sin6_addr.s6_addr);
  IpAddress destination;
  uint8_t hopLimit = 0;
  for (const cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) {
      int hops = 0;
      std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      hopLimit = static_cast<uint8_t>(hops);
    } else if (c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      destination = IpAddress::fromBytes(AF_INET6, info.ipi6_addr.s6_addr);
    }
  }
  dispatcher_.receiveIpv6(bytes, source, destination, hopLimit, now);
}

void VrrpSocket::aim(PreparedDatagram& out, std::span<const uint8_t> bytes,
                     const IpAddress& destination) const {
  out.bytes_.assign(bytes.begin(), bytes.end());
  out.destination_ = destination;
  out.to_ = {};
  out.msg_ = {};
  if (destination.isV4()) {
    auto* to = reinterpret_cast<sockaddr_in*>(&out.to_);
    to->sin_family = AF_INET;
    std::memcpy(&to->sin_addr, destination.bytes(), 4);
    out.msg_.msg_namelen = sizeof(sockaddr_in);
  } else {
    auto* to = reinterpret_cast<sockaddr_in6*>(&out.to_);
    to->sin6_family = AF_INET6;
    std::memcpy(&to->sin6_addr, destination.bytes(), 16);
    to->sin6_scope_id = ifindex_;
    out.msg_.msg_namelen = sizeof(sockaddr_in6);
  }
  out.msg_.msg_name = &out.to_;
  out.iov_ = {out.bytes_.data(), out.bytes_.size()};
  out.msg_.msg_iov = &out.iov_;
  out.msg_.msg_iovlen = 1;
}

void VrrpSocket::prepareIpv4(PreparedDatagram& out, std::span<const uint8_t> ipPacket,
                             const IpAddress& destination) const {
  aim(out, ipPacket, destination);
}

void VrrpSocket::prepareIpv6(PreparedDatagram& out, std::span<const uint8_t> vrrp,
                             const IpAddress& source, const IpAddress& destination,
                             uint8_t hopLimit) const {
  aim(out, vrrp, destination);
  out.control_ = {};
  out.msg_.msg_control = out.control_.data();
  out.msg_.msg_controllen = out.control_.size();
  cmsghdr* c = CMSG_FIRSTHDR(&out.msg_);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, source.bytes(), 16);
  info.ipi6_ifindex = ifindex_;
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  c = CMSG_NXTHDR(&out.msg_, c);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_HOPLIMIT;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  const int hops = hopLimit;
  std::memcpy(CMSG_DATA(c), &hops, sizeof hops);
}

Status VrrpSocket::send(const PreparedDatagram& datagram) {
  if (::sendmsg(fd_.get(), &datagram.msg_, 0) >= 0) return {};
  return errnoError("send to " + datagram.destination_.toString());
}

SocketAdvertSender::SocketAdvertSender(VrrpSocket& socket, Options options)
    : socket_(socket),
      options_(std::move(options)),
      ahSequence_(firstAhSequence(std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch()))) {}

Ipv4Header SocketAdvertSender::ipv4HeaderTo(const IpAddress& destination) const {
  Ipv4Header ip;
  ip.ttl = ttlTo(destination);
  ip.source = options_.source;
  ip.destination = destination;
  return ip;
}

void SocketAdvertSender::prepare(const VrrpPacket& packet) {
  packet_ = packet;
  encodeAll();
}

void SocketAdvertSender::setOptions(Options options) {
  options_ = std::move(options);
  encodeAll();
}

Status SocketAdvertSender::send() {
  if (!packet_) return Error{0, "no advert prepared"};
  if (packet_->authType == AuthType::Ah) return sendAh();
  if (encodeError_) return *encodeError_;
  for (const auto& datagram : prepared_) {
    if (Status s = socket_.send(*datagram); !s) return s;
  }
  return {};
}

void SocketAdvertSender::encodeAll() {
  prepared_.clear();
  encodeError_.reset();
  if (!packet_ || packet_->authType == AuthType::Ah) return;
  std::array<uint8_t, kMaxPacket> buffer;
  for (const IpAddress& destination : options_.destinations) {
    Result<size_t> size = 0;
    if (destination.isV4()) {
      // IP id 0: the kernel picks one per packet, as it fills in the
      // header checksum (raw(7)), so the bytes stay the same.
      Ipv4AdvertOptions options;
      options.v3ChecksumAsV2 = options_.v3ChecksumAsV2;
      size = encodeIpv4Advert(ipv4HeaderTo(destination), *packet_, buffer, options);
    } else {
      size = encode(*packet_, buffer, {options_.source, destination});
    }
    if (!size) {
      prepared_.clear();
      encodeError_ = size.error();
      return;
    }
    const std::span<const uint8_t> bytes = std::span(buffer).first(*size);
    auto& datagram = prepared_.emplace_back(std::make_unique<PreparedDatagram>());
    if (destination.isV4()) {
      socket_.prepareIpv4(*datagram, bytes, destination);
    } else {
      socket_.prepareIpv6(*datagram, bytes, options_.source, destination, ttlTo(destination));
    }
  }
}

Status SocketAdvertSender::sendAh() {
  std::array<uint8_t, kMaxPacket> buffer;
  for (const IpAddress& destination : options_.destinations) {
    Ipv4Header ip = ipv4HeaderTo(destination);
    ip.id = ++ipId_;
    Ipv4AdvertOptions advert;
    advert.v3ChecksumAsV2 = options_.v3ChecksumAsV2;
    advert.ahSequence = ++ahSequence_;
    advert.ahKey = options_.ahKey;
    auto size = encodeIpv4Advert(ip, *packet_, buffer, advert);
    if (!size) return size.error();
    socket_.prepareIpv4(ahDatagram_, std::span(buffer).first(*size), destination);
    if (Status s = socket_.send(ahDatagram_); !s) return s;
  }
  return {};
}

Result<IpAddress> interfaceSourceAddress(const std::string& interface, int family) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return errnoError("getifaddrs");
  std::optional<IpAddress> found;
  for (ifaddrs* a = list; a != nullptr && !found; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != family || interface != a->ifa_name)
      continue;
    if (family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      found = IpAddress::fromBytes(AF_INET, reinterpret_cast<const uint8_t*>(&in->sin_addr));
    } else {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      IpAddress address = IpAddress::fromBytes(AF_INET6, in6->sin6_addr.s6_addr);
      if (address.isLinkLocal()) found = address;
    }
  }
  ::freeifaddrs(list);
  if (!found) {
    return Error{0, "interface " + interface + " has no " +
                        (family == AF_INET ? "IPv4 address" : "IPv6 link-local address")};
  }
  return *found;
}

}  // namespace vigil::vrrp
