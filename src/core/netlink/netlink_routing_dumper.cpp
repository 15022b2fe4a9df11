#include "core/netlink/netlink_routing_dumper.h"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "core/netlink/rtnetlink_messages.h"

namespace vigil::netlink {
namespace {

// A dump's datagrams are at most 32 KiB (the kernel sizes them by the
// largest read it has seen, up to that).
constexpr size_t kBufferSize = 64 * 1024;

const char* partName(uint16_t type) {
  return type == RTM_GETADDR ? "addresses" : type == RTM_GETROUTE ? "routes" : "rules";
}

template <typename Header>
void append(std::vector<uint8_t>& out, const Header& header) {
  const size_t at = out.size();
  out.resize(at + NLMSG_ALIGN(sizeof header));
  std::memcpy(out.data() + at, &header, sizeof header);
}

// NLMSG_OK without the macro's comparison of the unsigned nlmsg_len with an
// int, which clang reports through the macro (gcc stays quiet in system
// headers).
bool wholeMessage(const nlmsghdr* header, int remaining) {
  return remaining >= static_cast<int>(sizeof(nlmsghdr)) && header->nlmsg_len >= sizeof(nlmsghdr) &&
         header->nlmsg_len <= static_cast<unsigned>(remaining);
}

}  // namespace

NetlinkRoutingDumper::NetlinkRoutingDumper(EventLoop& loop) : loop_(loop) {}

NetlinkRoutingDumper::~NetlinkRoutingDumper() { cancel(); }

void NetlinkRoutingDumper::dump(const DumpRequest& request, Done done) {
  cancel();
  parts_.clear();
  for (int family : request.addressFamilies) parts_.push_back({RTM_GETADDR, family, 0, 0});
  for (const DumpRequest::Routes& routes : request.routes) {
    parts_.push_back({RTM_GETROUTE, routes.family, routes.table, routes.protocol});
  }
  for (int family : request.ruleFamilies) parts_.push_back({RTM_GETRULE, family, 0, 0});
  done_ = std::move(done);
  attempts_ = 0;
  if (!deadline_)
    deadline_ = loop_.createTimer([this] {
      finish(Error{ETIMEDOUT, "netlink: reading the kernel's addresses, routes and rules"});
    });
  deadline_->armAfter(kTimeout);
  start();
}

void NetlinkRoutingDumper::cancel() {
  done_ = nullptr;
  watch_.reset();
  fd_.reset();
  if (deadline_) deadline_->cancel();
}

void NetlinkRoutingDumper::start() {
  ++attempts_;
  dump_ = {};
  part_ = 0;
  interrupted_ = false;
  watch_.reset();
  if (parts_.empty()) {  // nothing in use to compare: no socket needed
    finish(RoutingDump{});
    return;
  }
  fd_.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd_) {
    finish(errnoError("netlink: opening a socket to read the kernel's tables"));
    return;
  }
  // Kernels before 4.20 do not know it and filter nothing: the answers are
  // filtered here as well.
  const int one = 1;
  (void)::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  if (Status sent = sendPart(); !sent) {
    finish(sent.error());
    return;
  }
  watch_ = loop_.watchFd(fd_.get(), EPOLLIN, [this](uint32_t) { onReadable(); });
}

Status NetlinkRoutingDumper::sendPart() {
  const Part& part = parts_[part_];
  std::vector<uint8_t> message;
  nlmsghdr header{};
  header.nlmsg_type = part.type;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = ++seq_;
  append(message, header);
  if (part.type == RTM_GETADDR) {
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(part.family);
    append(message, ifa);
  } else if (part.type == RTM_GETROUTE) {
    rtmsg rt{};
    rt.rtm_family = static_cast<uint8_t>(part.family);
    rt.rtm_protocol = part.protocol;
    append(message, rt);
    rtattr table{};
    table.rta_len = static_cast<uint16_t>(RTA_LENGTH(sizeof part.table));
    table.rta_type = RTA_TABLE;
    append(message, table);
    const size_t at = message.size();
    message.resize(at + RTA_ALIGN(sizeof part.table));
    std::memcpy(message.data() + at, &part.table, sizeof part.table);
  } else {
    fib_rule_hdr frh{};
    frh.family = static_cast<uint8_t>(part.family);
    append(message, frh);
  }
  const auto length = static_cast<uint32_t>(message.size());
  std::memcpy(message.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), message.data(), message.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0) {
    return errnoError(std::string("netlink: asking for the kernel's ") + partName(part.type));
  }
  return {};
}

void NetlinkRoutingDumper::onReadable() {
  for (int i = 0; i < kDatagramsPerWake; ++i) {
    if (!readDatagram()) return;
  }
}

bool NetlinkRoutingDumper::readDatagram() {
  buffer_.resize(kBufferSize);
  const ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
    finish(
        errnoError(std::string("netlink: reading the kernel's ") + partName(parts_[part_].type)));
    return false;
  }
  if (static_cast<size_t>(n) > buffer_.size()) {
    finish(Error{EMSGSIZE, "netlink: a datagram of the kernel's tables is larger than 64 KiB"});
    return false;
  }
  return takeMessages(buffer_.data(), static_cast<size_t>(n));
}

bool NetlinkRoutingDumper::takeMessages(const uint8_t* data, size_t size) {
  auto* header = reinterpret_cast<nlmsghdr*>(const_cast<uint8_t*>(data));
  auto remaining = static_cast<int>(size);
  for (; wholeMessage(header, remaining); header = NLMSG_NEXT(header, remaining)) {
    if (header->nlmsg_seq != seq_) continue;  // a part given up on
    if ((header->nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted_ = true;
    if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR) {
      int error = 0;
      const size_t offset =
          header->nlmsg_type == NLMSG_ERROR ? offsetof(nlmsgerr, error) : size_t{0};
      if (header->nlmsg_len >= NLMSG_LENGTH(offset + sizeof error)) {
        std::memcpy(&error, static_cast<const uint8_t*>(NLMSG_DATA(header)) + offset, sizeof error);
      }
      if (header->nlmsg_type == NLMSG_ERROR && error == 0) continue;  // an ack
      return partDone(error);
    }
    keep(header);
  }
  return true;
}

void NetlinkRoutingDumper::keep(nlmsghdr* header) {
  const Part& part = parts_[part_];
  if (header->nlmsg_type == RTM_NEWADDR && part.type == RTM_GETADDR) {
    auto address = parseAddressMessage(header);
    if (address && address->address.address.family() == part.family) {
      dump_.addresses.push_back(*address);
    }
  } else if (header->nlmsg_type == RTM_NEWROUTE && part.type == RTM_GETROUTE) {
    auto route = parseRouteMessage(header);
    if (route && route->destination.address.family() == part.family && route->table == part.table &&
        route->protocol == part.protocol) {
      dump_.routes.push_back(std::move(*route));
    }
  } else if (header->nlmsg_type == RTM_NEWRULE && part.type == RTM_GETRULE) {
    auto rule = parseRuleMessage(header);
    if (rule && rule->family == part.family) dump_.rules.push_back(std::move(*rule));
  }
}

bool NetlinkRoutingDumper::partDone(int error) {
  const Part& part = parts_[part_];
  // A table that does not exist holds no route (ENOENT from a filtered
  // dump).
  if (error < 0 && !(part.type == RTM_GETROUTE && error == -ENOENT)) {
    finish(Error{-error, std::string("netlink: reading the kernel's ") + partName(part.type)});
    return false;
  }
  if (++part_ < parts_.size()) {
    if (Status sent = sendPart(); !sent) {
      finish(sent.error());
      return false;
    }
    return true;
  }
  if (interrupted_) {
    if (attempts_ < kMaxAttempts) {
      start();
      return false;
    }
    finish(Error{EAGAIN, "netlink: the kernel's tables changed during each of " +
                             std::to_string(kMaxAttempts) + " readings"});
    return false;
  }
  finish(std::move(dump_));
  return false;
}

void NetlinkRoutingDumper::finish(Result<RoutingDump> result) {
  Done done = std::move(done_);
  cancel();
  if (done) done(std::move(result));
}

}  // namespace vigil::netlink
