#include "core/netlink/address_request.h"

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstring>

namespace vigil::netlink {
namespace {

constexpr size_t kHeaderBytes = 16;     // struct nlmsghdr
constexpr size_t kIfaddrmsgBytes = 8;   // struct ifaddrmsg
constexpr size_t kAttrHeaderBytes = 4;  // struct rtattr
constexpr size_t kCacheinfoBytes = 16;  // struct ifa_cacheinfo
constexpr size_t kErrorCodeBytes = 4;   // struct nlmsgerr's error, before the echoed header
static_assert(kHeaderBytes == sizeof(nlmsghdr) && kIfaddrmsgBytes == sizeof(ifaddrmsg) &&
              kAttrHeaderBytes == sizeof(rtattr) && kCacheinfoBytes == sizeof(ifa_cacheinfo));

constexpr size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

// Appends netlink's host-byte-order integers and raw bytes; the caller
// sized the buffer (kMaxAddressRequest) for the longest request.
class Writer {
 public:
  explicit Writer(std::span<uint8_t> out) : out_(out) {}

  void u8(uint8_t v) { out_[at_++] = v; }
  void u16(uint16_t v) { put(&v, sizeof v); }  // host byte order
  void u32(uint32_t v) { put(&v, sizeof v); }  // host byte order
  void put(const void* data, size_t n) {
    std::memcpy(out_.data() + at_, data, n);
    at_ += n;
  }
  // One attribute: rtattr {len, type} then `n` bytes, zero-padded to 4.
  void attribute(uint16_t type, const void* data, size_t n) {
    u16(static_cast<uint16_t>(kAttrHeaderBytes + n));
    u16(type);
    put(data, n);
    pad();
  }
  void pad() {
    while (at_ % 4 != 0) out_[at_++] = 0;
  }
  size_t size() const { return at_; }

 private:
  std::span<uint8_t> out_;
  size_t at_ = 0;
};

uint32_t readU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);  // host byte order
  return v;
}

}  // namespace

Result<AddressRequest> encodeAddressRequest(AddressRequestKind kind, const AddressSpec& spec,
                                            int ifindex) {
  const IpAddress& address = spec.address.address;
  const bool v4 = address.isV4();
  const bool label = v4 && !spec.label.empty();
  if (label && spec.label.size() >= IFNAMSIZ) {
    return Error{ERANGE, "label " + spec.label + " is longer than " + std::to_string(IFNAMSIZ - 1) +
                             " characters"};
  }
  AddressRequest request;
  Writer out(request.bytes);
  const bool add = kind == AddressRequestKind::Add;
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
  if (add) flags |= NLM_F_CREATE | NLM_F_REPLACE;
  out.u32(0);  // nlmsg_len, written below
  out.u16(add ? RTM_NEWADDR : RTM_DELADDR);
  out.u16(flags);
  out.u32(0);  // nlmsg_seq (setSequence)
  out.u32(0);  // nlmsg_pid: to the kernel
  out.u8(static_cast<uint8_t>(address.family()));
  out.u8(static_cast<uint8_t>(spec.address.length));
  out.u8(spec.noDad ? IFA_F_NODAD : 0);
  out.u8(spec.scope);
  out.u32(static_cast<uint32_t>(ifindex));
  out.attribute(IFA_LOCAL, address.bytes(), address.size());
  out.attribute(IFA_ADDRESS, address.bytes(), address.size());
  if (label) out.attribute(IFA_LABEL, spec.label.c_str(), spec.label.size() + 1);
  if (v4 && spec.broadcast) {
    out.attribute(IFA_BROADCAST, spec.broadcast->bytes(), spec.broadcast->size());
  }
  uint8_t cacheinfo[kCacheinfoBytes] = {};
  std::memcpy(cacheinfo, &spec.preferredLifetime, 4);  // ifa_prefered
  std::memcpy(cacheinfo + 4, &spec.validLifetime, 4);  // ifa_valid; cstamp, tstamp 0
  out.attribute(IFA_CACHEINFO, cacheinfo, sizeof cacheinfo);
  request.length = out.size();
  const auto length = static_cast<uint32_t>(request.length);
  std::memcpy(request.bytes.data(), &length, sizeof length);
  return request;
}

void setSequence(std::span<uint8_t> message, uint32_t seq) {
  std::memcpy(message.data() + 8, &seq, sizeof seq);  // nlmsg_seq
}

std::optional<int> acknowledgement(std::span<const uint8_t> datagram, uint32_t seq) {
  size_t at = 0;
  while (datagram.size() - at >= kHeaderBytes) {
    const uint8_t* header = datagram.data() + at;
    const uint32_t length = readU32(header);
    if (length < kHeaderBytes || length > datagram.size() - at) return std::nullopt;
    uint16_t type;
    std::memcpy(&type, header + 4, sizeof type);
    if (type == NLMSG_ERROR && readU32(header + 8) == seq &&
        length >= kHeaderBytes + kErrorCodeBytes) {
      int error;
      std::memcpy(&error, header + kHeaderBytes, sizeof error);  // 0 or -errno
      return -error;
    }
    at += align4(length);
    if (at > datagram.size()) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace vigil::netlink
