#include "core/netlink/address_request.h"

#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/netlink/nl_socket.h"

namespace vigil::netlink {
namespace {

// What libnl-route sends for the same address: NetlinkAddressManager built
// its requests with rtnl_addr_add/_delete before it wrote them itself, so
// the kernel must see the same bytes. nl_send_auto adds NLM_F_REQUEST and
// NLM_F_ACK to the flags libnl's builder leaves.
std::vector<uint8_t> libnlRequest(AddressRequestKind kind, const AddressSpec& spec, int ifindex) {
  std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> addr(rtnl_addr_alloc(), rtnl_addr_put);
  NlAddrPtr local = toNlAddr(spec.address.address, spec.address.length);
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), spec.address.address.family());
  EXPECT_EQ(rtnl_addr_set_local(addr.get(), local.get()), 0);
  rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(spec.address.length));
  rtnl_addr_set_scope(addr.get(), spec.scope);
  NlAddrPtr brd;
  if (spec.address.address.isV4()) {
    if (spec.broadcast) {
      brd = toNlAddr(*spec.broadcast, 32);
      rtnl_addr_set_broadcast(addr.get(), brd.get());
    }
    if (!spec.label.empty()) {
      EXPECT_EQ(rtnl_addr_set_label(addr.get(), spec.label.c_str()), 0);
    }
  }
  rtnl_addr_set_valid_lifetime(addr.get(), spec.validLifetime);
  rtnl_addr_set_preferred_lifetime(addr.get(), spec.preferredLifetime);
  if (spec.noDad) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  nl_msg* raw = nullptr;
  const int rc = kind == AddressRequestKind::Add
                     ? rtnl_addr_build_add_request(addr.get(), NLM_F_REPLACE, &raw)
                     : rtnl_addr_build_delete_request(addr.get(), 0, &raw);
  EXPECT_EQ(rc, 0);
  if (raw == nullptr) return {};
  nlmsghdr* header = nlmsg_hdr(raw);
  header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  const auto* bytes = reinterpret_cast<const uint8_t*>(header);
  std::vector<uint8_t> out(bytes, bytes + header->nlmsg_len);
  nlmsg_free(raw);
  return out;
}

std::vector<uint8_t> ours(AddressRequestKind kind, const AddressSpec& spec, int ifindex) {
  auto request = encodeAddressRequest(kind, spec, ifindex);
  EXPECT_TRUE(request) << request.error().describe();
  if (!request) return {};
  std::span<uint8_t> message = request->message();
  return {message.begin(), message.end()};
}

AddressSpec spec(const char* prefix) {
  AddressSpec s;
  s.address = *IpPrefix::parse(prefix);
  return s;
}

void expectSameAsLibnl(const AddressSpec& s, int ifindex) {
  for (AddressRequestKind kind : {AddressRequestKind::Add, AddressRequestKind::Remove}) {
    std::vector<uint8_t> expected = libnlRequest(kind, s, ifindex);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(ours(kind, s, ifindex), expected)
        << (kind == AddressRequestKind::Add ? "RTM_NEWADDR" : "RTM_DELADDR") << " of "
        << s.address.toString();
  }
}

TEST(AddressRequest, Ipv4VipWithLifetimeIsWhatLibnlSent) {
  AddressSpec s = spec("10.77.0.100/24");
  s.validLifetime = 2;
  s.preferredLifetime = 2;
  expectSameAsLibnl(s, 3);
}

TEST(AddressRequest, Ipv4WithLabelBroadcastAndScopeIsWhatLibnlSent) {
  AddressSpec s = spec("192.168.5.7/16");
  s.label = "eth0:vip";
  s.broadcast = *IpAddress::parse("192.168.255.255");
  s.scope = RT_SCOPE_LINK;
  expectSameAsLibnl(s, 12);
  s.label = "eth0:abcdefghij";  // 15 characters: the longest IFA_LABEL
  expectSameAsLibnl(s, 12);
}

TEST(AddressRequest, Ipv6NoDadIsWhatLibnlSent) {
  AddressSpec s = spec("fd00:77::100/64");
  s.noDad = true;
  s.validLifetime = 2;
  s.preferredLifetime = 1;
  s.label = "ignored";  // the kernel keeps no IPv6 labels: neither sends one
  expectSameAsLibnl(s, 4);
}

TEST(AddressRequest, FieldsAtTheirOffsets) {
  AddressSpec s = spec("10.1.2.3/32");
  s.validLifetime = 5;
  s.preferredLifetime = 4;
  auto request = encodeAddressRequest(AddressRequestKind::Add, s, 7);
  ASSERT_TRUE(request);
  std::span<uint8_t> m = request->message();
  // nlmsghdr 16 + ifaddrmsg 8 + IFA_LOCAL 8 + IFA_ADDRESS 8 + IFA_CACHEINFO 20.
  ASSERT_EQ(m.size(), 60u);
  uint32_t u32;
  uint16_t u16;
  std::memcpy(&u32, m.data(), 4);
  EXPECT_EQ(u32, 60u);
  std::memcpy(&u16, m.data() + 4, 2);
  EXPECT_EQ(u16, RTM_NEWADDR);
  std::memcpy(&u16, m.data() + 6, 2);
  EXPECT_EQ(u16, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(m[16], AF_INET);
  EXPECT_EQ(m[17], 32);
  std::memcpy(&u32, m.data() + 20, 4);
  EXPECT_EQ(u32, 7u);  // ifa_index
  EXPECT_EQ((std::vector<uint8_t>(m.begin() + 28, m.begin() + 32)),
            (std::vector<uint8_t>{10, 1, 2, 3}));  // IFA_LOCAL, network byte order
  std::memcpy(&u16, m.data() + 42, 2);
  EXPECT_EQ(u16, IFA_CACHEINFO);
  std::memcpy(&u32, m.data() + 44, 4);
  EXPECT_EQ(u32, 4u);  // ifa_prefered
  std::memcpy(&u32, m.data() + 48, 4);
  EXPECT_EQ(u32, 5u);  // ifa_valid

  setSequence(m, 0x01020304);
  std::memcpy(&u32, m.data() + 8, 4);
  EXPECT_EQ(u32, 0x01020304u);
}

TEST(AddressRequest, ALabelTooLongForTheKernelNamesIt) {
  AddressSpec s = spec("10.0.0.1/24");
  s.label = "eth0:0123456789a";  // 16 characters
  auto request = encodeAddressRequest(AddressRequestKind::Add, s, 2);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, ERANGE);
  EXPECT_NE(request.error().message.find("eth0:0123456789a"), std::string::npos);
}

// One NLMSG_ERROR message: nlmsghdr, then the error and the request's
// header echoed (NETLINK_CAP_ACK).
std::vector<uint8_t> ack(uint32_t seq, int error) {
  std::vector<uint8_t> out(16 + 4 + 16, 0);
  const uint32_t length = static_cast<uint32_t>(out.size());
  const uint16_t type = NLMSG_ERROR;
  std::memcpy(out.data(), &length, 4);
  std::memcpy(out.data() + 4, &type, 2);
  std::memcpy(out.data() + 8, &seq, 4);
  std::memcpy(out.data() + 16, &error, 4);
  return out;
}

TEST(AddressRequest, AcknowledgementOfTheRequestAskedFor) {
  EXPECT_EQ(acknowledgement(ack(5, 0), 5), 0);
  EXPECT_EQ(acknowledgement(ack(5, -EEXIST), 5), EEXIST);
  EXPECT_EQ(acknowledgement(ack(4, -ENODEV), 5), std::nullopt);  // a stale answer

  std::vector<uint8_t> two = ack(4, 0);
  std::vector<uint8_t> second = ack(5, -EADDRNOTAVAIL);
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(acknowledgement(two, 5), EADDRNOTAVAIL);
}

TEST(AddressRequest, MalformedAnswersEndTheSearch) {
  std::vector<uint8_t> good = ack(5, 0);
  EXPECT_EQ(acknowledgement(std::span<const uint8_t>(good.data(), 10), 5), std::nullopt);
  std::vector<uint8_t> longer = good;
  const uint32_t tooLong = 4096;
  std::memcpy(longer.data(), &tooLong, 4);
  EXPECT_EQ(acknowledgement(longer, 5), std::nullopt);
  std::vector<uint8_t> zero = good;
  const uint32_t none = 0;
  std::memcpy(zero.data(), &none, 4);
  EXPECT_EQ(acknowledgement(zero, 5), std::nullopt);
  std::vector<uint8_t> noCode(good.begin(), good.begin() + 16);
  const uint32_t headerOnly = 16;
  std::memcpy(noCode.data(), &headerOnly, 4);
  EXPECT_EQ(acknowledgement(noCode, 5), std::nullopt);
}

}  // namespace
}  // namespace vigil::netlink
