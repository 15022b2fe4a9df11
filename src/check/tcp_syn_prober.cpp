#include "check/tcp_syn_prober.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "check/probe_socket.h"
#include "core/json_writer.h"
#include "core/log.h"

namespace vigil::check {
namespace {

// Bursts of thousands of SYNs (and their replies) at once: the default
// buffers would drop some. Best effort; RCVBUFFORCE needs CAP_NET_ADMIN.
constexpr int kSocketBuffer = 4 << 20;
// sendmmsg takes at most UIO_MAXIOV (1024) messages per call.
constexpr size_t kSendBatch = 1024;
// Replies read per readiness report, so one busy family cannot starve the
// rest of the loop.
constexpr int kReadBudget = 512;
constexpr size_t kPktinfoSpace = CMSG_SPACE(std::max(sizeof(in_pktinfo), sizeof(in6_pktinfo)));

// A TCP socket bound (never listening) to an ephemeral port: while it is
// open the kernel gives that port to no other socket, so no connection of
// its own receives our probes' replies.
Result<UniqueFd> reservePort(int family, uint16_t& port) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return errnoError("socket");
  }
  if (family == AF_INET6) {
    int on = 1;
    (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  }
  sockaddr_storage any{};
  socklen_t len = fillSockaddr(any, family, IpAddress{}, 0, 0);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&any), len) != 0) {
    return errnoError("bind");
  }
  len = sizeof(any);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&any), &len) != 0) {
    return errnoError("getsockname");
  }
  port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(any).sin_port
                                 : reinterpret_cast<sockaddr_in6&>(any).sin6_port);
  return fd;
}

void growBuffer(int fd, int force, int plain) {
  if (::setsockopt(fd, SOL_SOCKET, force, &kSocketBuffer, sizeof(kSocketBuffer)) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, plain, &kSocketBuffer, sizeof(kSocketBuffer));
  }
}

// The source the kernel would pick for target: a UDP socket connected
// there (no packet is sent) knows it.
Result<IpAddress> routeSource(const IpAddress& target) {
  UniqueFd fd(::socket(target.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return errnoError("socket");
  }
  sockaddr_storage to{};
  socklen_t len = fillSockaddr(to, target.family(), target, 9, 0);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), len) != 0) {
    return errnoError("route to " + target.toString());
  }
  sockaddr_storage self{};
  len = sizeof(self);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&self), &len) != 0) {
    return errnoError("getsockname");
  }
  const auto* bytes =
      target.isV4()
          ? reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in&>(self).sin_addr)
          : reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6&>(self).sin6_addr);
  return IpAddress::fromBytes(target.family(), bytes);
}

IpAddress senderOf(const sockaddr_storage& from) {
  if (from.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(from);
    return IpAddress::fromBytes(AF_INET, reinterpret_cast<const uint8_t*>(&in.sin_addr));
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(from);
  return IpAddress::fromBytes(AF_INET6, reinterpret_cast<const uint8_t*>(&in6.sin6_addr));
}

// Asks the kernel to send from `source` (IP_PKTINFO / IPV6_PKTINFO), the
// address the checksum was computed with.
void setSource(msghdr& msg, uint8_t* space, const IpAddress& source) {
  msg.msg_control = space;
  cmsghdr* c = reinterpret_cast<cmsghdr*>(space);
  if (source.isV4()) {
    in_pktinfo info{};
    std::memcpy(&info.ipi_spec_dst, source.bytes(), 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
    msg.msg_controllen = CMSG_SPACE(sizeof(info));
  } else {
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, source.bytes(), 16);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
    msg.msg_controllen = CMSG_SPACE(sizeof(info));
  }
}

}  // namespace

struct TcpSynProber::Family {
  struct Outgoing {
    TargetKey key;
    uint64_t id = 0;
    IpAddress source;
    SynSegment segment{};
  };

  int family = AF_INET;
  UniqueFd raw;
  UniqueFd reservation;
  uint16_t port = 0;
  std::unique_ptr<FdWatch> watch;
  std::vector<Outgoing> queue;
};

size_t TcpSynProber::TargetKeyHash::operator()(const IpAddress& address) const {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (size_t i = 0; i < address.size(); ++i) {
    h = (h ^ address.bytes()[i]) * 1099511628211ULL;
  }
  return static_cast<size_t>(h);
}

size_t TcpSynProber::TargetKeyHash::operator()(const TargetKey& key) const {
  return (*this)(key.address) ^ (static_cast<size_t>(key.port) * 0x9e3779b97f4a7c15ULL);
}

TcpSynProber::TcpSynProber(EventLoop& loop) : loop_(loop) {
  if (::getrandom(secret_.data(), sizeof(secret_), 0) != sizeof(secret_)) {
    // Never expected (getrandom blocks until the pool is ready); the
    // address of the prober and the clock are a weak fallback.
    secret_[0] = reinterpret_cast<uintptr_t>(this);
    secret_[1] = static_cast<uint64_t>(loop.now().time_since_epoch().count());
  }
}

TcpSynProber::~TcpSynProber() = default;

Status TcpSynProber::open(int family) {
  std::unique_ptr<Family>& slot = family == AF_INET ? v4_ : v6_;
  if (slot) {
    return {};
  }
  auto f = std::make_unique<Family>();
  f->family = family;
  f->raw.reset(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!f->raw) {
    return errnoError("raw TCP socket");
  }
  auto reservation = reservePort(family, f->port);
  if (!reservation) {
    return reservation.error();
  }
  f->reservation = std::move(*reservation);
  std::vector<sock_filter> program = synReplyFilter(family == AF_INET, f->port);
  sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  if (::setsockopt(f->raw.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) {
    return errnoError("SO_ATTACH_FILTER");
  }
  growBuffer(f->raw.get(), SO_RCVBUFFORCE, SO_RCVBUF);
  growBuffer(f->raw.get(), SO_SNDBUFFORCE, SO_SNDBUF);
  Family* raw = f.get();
  f->watch = loop_.watchFd(f->raw.get(), EPOLLIN, [this, raw](uint32_t) { onReadable(*raw); });
  slot = std::move(f);
  return {};
}

bool TcpSynProber::usable(int family) {
  std::optional<bool>& known = usable_[family == AF_INET ? 0 : 1];
  if (!known) {
    Status opened = open(family);
    known = opened.ok();
    if (!opened) {
      log(LogLevel::Warning,
          "check worker: tcp_check_mode syn unavailable for {} ({}); those TCP_CHECKs connect",
          family == AF_INET ? "IPv4" : "IPv6", opened.error().describe());
    }
  }
  return *known;
}

uint16_t TcpSynProber::sourcePort(int family) const {
  const auto& f = family == AF_INET ? v4_ : v6_;
  return f ? f->port : 0;
}

TcpSynProber::Family* TcpSynProber::familyOf(int family) {
  return family == AF_INET ? v4_.get() : (family == AF_INET6 ? v6_.get() : nullptr);
}

uint32_t TcpSynProber::nextSeq() { return static_cast<uint32_t>(sipHash24(secret_, counter_++)); }

Result<IpAddress> TcpSynProber::sourceFor(const config::ProbeTarget& target) {
  if (!target.bindAddress().empty()) {
    return target.bindAddress();
  }
  auto it = routes_.find(target.address);
  if (it != routes_.end() && loop_.now() - it->second.resolved < kRouteCacheTtl) {
    return it->second.source;
  }
  auto source = routeSource(target.address);
  if (!source) {
    routes_.erase(target.address);
    return source.error();
  }
  routes_[target.address] = Route{*source, loop_.now()};
  return *source;
}

TcpSynProber::Handle TcpSynProber::send(const config::ProbeTarget& target, Client& client) {
  TargetKey key{target.address, target.port};
  Handle handle{target.address, target.port, nextId_++};
  pending_[key].push_back(Pending{handle.id, 0, &client});
  Family* family = familyOf(target.address.family());
  if (family == nullptr) {
    failLater(key, handle.id, EAFNOSUPPORT);
    return handle;
  }
  auto source = sourceFor(target);
  if (!source || source->family() != target.address.family()) {
    failLater(key, handle.id, source ? EAFNOSUPPORT : source.error().code);
    return handle;
  }
  const uint32_t seq = nextSeq();
  pending_[key].back().seq = seq;
  enqueue(*family, key, handle.id, *source, seq);
  return handle;
}

void TcpSynProber::resend(const Handle& handle, const config::ProbeTarget& target) {
  const TargetKey key{handle.target, handle.port};
  const Pending* pending = findPending(key, handle.id);
  Family* family = familyOf(handle.target.family());
  if (pending == nullptr || family == nullptr) {
    return;
  }
  // The cached source may be what kept the first copy unanswered: picked
  // while the director's own address was still tentative (DAD), the route
  // lookup answers ::1, which no server replies to.
  routes_.erase(handle.target);
  auto source = sourceFor(target);
  if (!source || source->family() != handle.target.family()) {
    ++counters_.sendErrors;  // the copy in flight may still be answered
    return;
  }
  ++counters_.retransmits;
  enqueue(*family, key, handle.id, *source, pending->seq);
}

void TcpSynProber::enqueue(Family& family, const TargetKey& key, uint64_t id,
                           const IpAddress& source, uint32_t seq) {
  SynEndpoints ends{source, key.address, family.port, key.port};
  family.queue.push_back(Family::Outgoing{key, id, source, buildSyn(ends, seq)});
  if (!flushPosted_) {
    flushPosted_ = true;
    loop_.post([this, alive = std::weak_ptr<int>(alive_)] {
      if (!alive.expired()) {
        flush();
      }
    });
  }
}

TcpSynProber::Pending* TcpSynProber::findPending(const TargetKey& key, uint64_t id) {
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    return nullptr;
  }
  auto p = std::find_if(it->second.begin(), it->second.end(),
                        [&](const Pending& e) { return e.id == id; });
  return p == it->second.end() ? nullptr : &*p;
}

void TcpSynProber::cancel(const Handle& handle, AbortReason why) {
  auto it = pending_.find(TargetKey{handle.target, handle.port});
  if (it == pending_.end()) {
    return;
  }
  // A stopped checker's probe is not a server's silence: not a timeout.
  const size_t erased =
      std::erase_if(it->second, [&](const Pending& p) { return p.id == handle.id; });
  if (why == AbortReason::Timeout) counters_.timeouts += erased;
  if (it->second.empty()) {
    pending_.erase(it);
  }
  // A queued SYN of a cancelled probe still goes out; its reply finds no
  // pending entry and is dropped.
}

void TcpSynProber::flush() {
  flushPosted_ = false;
  for (Family* family : {v4_.get(), v6_.get()}) {
    if (family != nullptr && !family->queue.empty()) {
      flushFamily(*family);
    }
  }
}

void TcpSynProber::flushFamily(Family& family) {
  std::vector<Family::Outgoing> queue;
  queue.swap(family.queue);  // a client called back below may queue more
  struct Failure {
    TargetKey key;
    uint64_t id;
    int error;
  };
  std::vector<Failure> failures;
  std::vector<mmsghdr> msgs(std::min(queue.size(), kSendBatch));
  std::vector<iovec> iovs(msgs.size());
  std::vector<sockaddr_storage> addrs(msgs.size());
  std::vector<uint8_t> control(msgs.size() * kPktinfoSpace);
  for (size_t base = 0; base < queue.size(); base += kSendBatch) {
    const size_t n = std::min(kSendBatch, queue.size() - base);
    std::fill(control.begin(), control.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      Family::Outgoing& out = queue[base + i];
      msgs[i] = mmsghdr{};
      iovs[i] = iovec{out.segment.data(), out.segment.size()};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      // Port 0: an IPv6 raw socket accepts only 0 or its protocol there.
      msgs[i].msg_hdr.msg_namelen = fillSockaddr(addrs[i], family.family, out.key.address, 0, 0);
      msgs[i].msg_hdr.msg_name = &addrs[i];
      setSource(msgs[i].msg_hdr, &control[i * kPktinfoSpace], out.source);
    }
    size_t sent = 0;
    while (sent < n) {
      int r = ::sendmmsg(family.raw.get(), &msgs[sent], static_cast<unsigned>(n - sent), 0);
      if (r > 0) {
        sent += static_cast<size_t>(r);
        counters_.synsSent += static_cast<uint64_t>(r);
        continue;
      }
      // The first message left failed (no route, a firewall, a full
      // buffer): that probe fails, the rest go on.
      const Family::Outgoing& out = queue[base + sent];
      failures.push_back(Failure{out.key, out.id, r < 0 ? errno : EIO});
      ++sent;
    }
  }
  counters_.sendErrors += failures.size();
  for (const Failure& f : failures) {
    auto it = pending_.find(f.key);
    if (it == pending_.end()) {
      continue;
    }
    auto p = std::find_if(it->second.begin(), it->second.end(),
                          [&](const Pending& e) { return e.id == f.id; });
    if (p == it->second.end()) {
      continue;
    }
    Client* client = p->client;
    it->second.erase(p);
    if (it->second.empty()) {
      pending_.erase(it);
    }
    client->onSynVerdict(SynVerdict::Unrelated, f.error);
  }
}

void TcpSynProber::failLater(const TargetKey& key, uint64_t id, int error) {
  ++counters_.sendErrors;
  loop_.post([this, alive = std::weak_ptr<int>(alive_), key, id, error] {
    if (alive.expired()) {
      return;
    }
    auto it = pending_.find(key);
    if (it == pending_.end()) {
      return;
    }
    auto p = std::find_if(it->second.begin(), it->second.end(),
                          [&](const Pending& e) { return e.id == id; });
    if (p == it->second.end()) {
      return;
    }
    Client* client = p->client;
    it->second.erase(p);
    if (it->second.empty()) {
      pending_.erase(it);
    }
    client->onSynVerdict(SynVerdict::Unrelated, error);
  });
}

void TcpSynProber::onReadable(Family& family) {
  uint8_t buffer[256];
  for (int i = 0; i < kReadBudget; ++i) {
    sockaddr_storage from{};
    socklen_t fromLen = sizeof(from);
    ssize_t n = ::recvfrom(family.raw.get(), buffer, sizeof(buffer), 0,
                           reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n < 0) {
      return;  // EAGAIN: drained (other errors: nothing a probe can use)
    }
    auto reply = parseSynReply({buffer, static_cast<size_t>(n)}, family.family == AF_INET);
    if (reply && reply->destinationPort == family.port) {
      deliver(TargetKey{senderOf(from), reply->sourcePort}, *reply);
    } else {
      ++counters_.repliesDropped;
    }
  }
}

void TcpSynProber::deliver(const TargetKey& key, const SynReply& reply) {
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    ++counters_.repliesDropped;  // late, cancelled, a duplicate, or not ours
    return;
  }
  for (auto p = it->second.begin(); p != it->second.end(); ++p) {
    SynVerdict verdict = judgeSynReply(reply, p->seq);
    if (verdict == SynVerdict::Unrelated) {
      continue;
    }
    Client* client = p->client;
    it->second.erase(p);
    if (it->second.empty()) {
      pending_.erase(it);
    }
    ++(verdict == SynVerdict::Open ? counters_.synAcks : counters_.resets);
    client->onSynVerdict(verdict, 0);
    return;
  }
  ++counters_.repliesDropped;
}

void writeSynCounters(JsonWriter& out, const TcpSynProber::Counters& counters) {
  out.key("tcp_syn")
      .object()
      .field("syns_sent", counters.synsSent)
      .field("retransmits", counters.retransmits)
      .field("syn_acks", counters.synAcks)
      .field("resets", counters.resets)
      .field("timeouts", counters.timeouts)
      .field("replies_dropped", counters.repliesDropped)
      .field("send_errors", counters.sendErrors)
      .end();
}

}  // namespace vigil::check
