#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cstring>

#include "ipvs/kernel/ipvs_message.h"
#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs::kernel {
namespace {

using namespace vigil::ipvs::test;

constexpr int kFamilyId = 0x1d;

Op roundTrip(const Op& op) {
  auto msg = encodeOp(kFamilyId, op);
  EXPECT_TRUE(msg.ok()) << msg.error().describe();
  auto decoded = decodeOp(nlmsg_hdr(msg->get()));
  EXPECT_TRUE(decoded.ok()) << decoded.error().describe();
  return decoded.ok() ? *decoded : Op{DeleteService{}};
}

// The nested attributes of the service a message carries, as raw values.
struct RawService {
  std::array<nlattr*, IPVS_SVC_ATTR_MAX + 1> attrs{};
};

RawService rawService(nl_msg* msg) {
  std::array<nlattr*, IPVS_CMD_ATTR_MAX + 1> cmd{};
  EXPECT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, cmd.data(), IPVS_CMD_ATTR_MAX, nullptr), 0);
  RawService raw;
  EXPECT_EQ(
      nla_parse_nested(raw.attrs.data(), IPVS_SVC_ATTR_MAX, cmd[IPVS_CMD_ATTR_SERVICE], nullptr),
      0);
  return raw;
}

ServiceKey fwmark(int family, uint32_t mark) { return ServiceKey::forFwmark(family, mark); }

TEST(KernelMessage, EveryKernelSchedulerRoundTripsThroughAddAndEdit) {
  for (const char* name : {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "mh", "sed", "nq",
                           "fo", "ovf", "twos"}) {
    Service s = scheduler(name);
    Op add = AddService{tcp("10.0.0.1", 80), s};
    Op edit = EditService{tcp("10.0.0.1", 80), s};
    EXPECT_EQ(roundTrip(add), add) << name;
    EXPECT_EQ(roundTrip(edit), edit) << name;
  }
}

TEST(KernelMessage, ServiceFlagsPersistenceAndEngineRoundTrip) {
  Service s = scheduler("sh");
  s.schedulerFlags = kSchedFlag1 | kSchedFlag2 | kSchedFlag3;
  s.onePacket = true;
  s.hashed = true;
  s.persistenceTimeout = 300;
  s.netmaskPrefix = 24;
  s.persistenceEngine = "sip";
  Op add = AddService{udp("192.0.2.1", 5060), s};
  EXPECT_EQ(roundTrip(add), add);
}

TEST(KernelMessage, SchedulerFlagsAreTheKernelBits) {
  Service s = scheduler("mh");
  s.schedulerFlags = kSchedFlag2;
  s.persistenceTimeout = 60;
  auto msg = encodeOp(kFamilyId, AddService{tcp("10.0.0.1", 80), s});
  ASSERT_TRUE(msg.ok());
  RawService raw = rawService(msg->get());
  ip_vs_flags flags{};
  std::memcpy(&flags, nla_data(raw.attrs[IPVS_SVC_ATTR_FLAGS]), sizeof(flags));
  EXPECT_EQ(flags.flags, uint32_t{IP_VS_SVC_F_SCHED2 | IP_VS_SVC_F_PERSISTENT});
  EXPECT_EQ(flags.mask, ~uint32_t{0});
}

TEST(KernelMessage, Ipv4NetmaskIsADottedMaskAndIpv6APrefixLength) {
  Service v4 = scheduler("rr");
  v4.persistenceTimeout = 300;
  v4.netmaskPrefix = 24;
  auto m4 = encodeOp(kFamilyId, AddService{tcp("10.0.0.1", 80), v4});
  ASSERT_TRUE(m4.ok());
  EXPECT_EQ(nla_get_u32(rawService(m4->get()).attrs[IPVS_SVC_ATTR_NETMASK]), htonl(0xffffff00));

  Service v6 = scheduler("rr");
  v6.persistenceTimeout = 300;
  v6.netmaskPrefix = 64;
  Op add6 = AddService{tcp("2001:db8::1", 443), v6};
  auto m6 = encodeOp(kFamilyId, add6);
  ASSERT_TRUE(m6.ok());
  EXPECT_EQ(nla_get_u32(rawService(m6->get()).attrs[IPVS_SVC_ATTR_NETMASK]), 64u);
  EXPECT_EQ(roundTrip(add6), add6);
}

TEST(KernelMessage, ServicePortIsInNetworkOrder) {
  auto msg = encodeOp(kFamilyId, DeleteService{tcp("10.0.0.1", 8080)});
  ASSERT_TRUE(msg.ok());
  RawService raw = rawService(msg->get());
  EXPECT_EQ(nla_get_u16(raw.attrs[IPVS_SVC_ATTR_PORT]), htons(8080));
  EXPECT_EQ(nla_get_u16(raw.attrs[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_TCP);
}

TEST(KernelMessage, FwmarkServicesCarryNoProtocolAddressOrPort) {
  for (int family : {AF_INET, AF_INET6}) {
    Service s = scheduler("wrr");
    s.netmaskPrefix = family == AF_INET ? 32 : 128;
    Op add = AddService{fwmark(family, 7), s};
    auto msg = encodeOp(kFamilyId, add);
    ASSERT_TRUE(msg.ok());
    RawService raw = rawService(msg->get());
    EXPECT_EQ(raw.attrs[IPVS_SVC_ATTR_PROTOCOL], nullptr);
    EXPECT_EQ(raw.attrs[IPVS_SVC_ATTR_ADDR], nullptr);
    EXPECT_EQ(raw.attrs[IPVS_SVC_ATTR_PORT], nullptr);
    EXPECT_EQ(nla_get_u32(raw.attrs[IPVS_SVC_ATTR_FWMARK]), 7u);
    EXPECT_EQ(roundTrip(add), add);
    Op del = DeleteService{fwmark(family, 7)};
    EXPECT_EQ(roundTrip(del), del);
  }
}

TEST(KernelMessage, SctpAndUdpServicesRoundTrip) {
  Op sctp =
      AddService{ServiceKey::forAddress(Protocol::Sctp, ip("10.0.0.9"), 3868), scheduler("lc")};
  Op udp6 = DeleteService{udp("2001:db8::53", 53)};
  EXPECT_EQ(roundTrip(sctp), sctp);
  EXPECT_EQ(roundTrip(udp6), udp6);
}

TEST(KernelMessage, EveryForwardingMethodRoundTrips) {
  for (ForwardingMethod m :
       {ForwardingMethod::Nat, ForwardingMethod::DirectRouting, ForwardingMethod::Tunnel}) {
    Destination d = weighted(3, m);
    d.upperThreshold = 500;
    d.lowerThreshold = 100;
    Op add = AddDestination{tcp("10.0.0.1", 80), dest("10.0.1.2", 80), d};
    Op edit = EditDestination{tcp("10.0.0.1", 80), dest("10.0.1.2", 80), d};
    EXPECT_EQ(roundTrip(add), add) << toString(m);
    EXPECT_EQ(roundTrip(edit), edit) << toString(m);
  }
  Op del = DeleteDestination{tcp("10.0.0.1", 80), dest("10.0.1.2", 80)};
  EXPECT_EQ(roundTrip(del), del);
}

TEST(KernelMessage, EveryTunnelTypeAndChecksumRoundTrips) {
  for (TunnelType type : {TunnelType::Ipip, TunnelType::Gue, TunnelType::Gre}) {
    for (TunnelChecksum sum :
         {TunnelChecksum::NoChecksum, TunnelChecksum::Checksum, TunnelChecksum::RemoteChecksum}) {
      Destination d = weighted(1, ForwardingMethod::Tunnel);
      d.tunnelType = type;
      d.tunnelChecksum = sum;
      d.tunnelPort = type == TunnelType::Gue ? 6080 : 0;
      Op add = AddDestination{fwmark(AF_INET, 3), dest("10.0.1.2", 0), d};
      EXPECT_EQ(roundTrip(add), add) << toString(d);
    }
  }
}

TEST(KernelMessage, Ipv6DestinationOfAnIpv4TunnelServiceKeepsItsFamily) {
  Op add = AddDestination{tcp("10.0.0.1", 80), dest("2001:db8::2", 80),
                          weighted(2, ForwardingMethod::Tunnel)};
  EXPECT_EQ(roundTrip(add), add);
  Op v6 = AddDestination{tcp("2001:db8::1", 80), dest("2001:db8::2", 8080), weighted(4)};
  EXPECT_EQ(roundTrip(v6), v6);
}

// A GET_SERVICE reply as the kernel builds one: HASHED on every service, a
// timeout kept on a non-persistent service, STATS64 counters.
NlMsgPtr kernelServiceReply(uint32_t flags, uint32_t timeout) {
  auto msg = newRequest(kFamilyId, IPVS_CMD_NEW_SERVICE);
  EXPECT_TRUE(msg.ok());
  nl_msg* m = msg->get();
  nlattr* svc = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
  nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
  nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 9);
  nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "wlc");
  ip_vs_flags f{flags, ~uint32_t{0}};
  nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof(f), &f);
  nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, timeout);
  nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, htonl(0xffffffff));
  nlattr* stats = nla_nest_start(m, IPVS_SVC_ATTR_STATS64);
  nla_put_u64(m, IPVS_STATS_ATTR_CONNS, 5);
  nla_put_u64(m, IPVS_STATS_ATTR_INBYTES, 1ull << 40);
  nla_put_u64(m, IPVS_STATS_ATTR_OUTBPS, 77);
  nla_nest_end(m, stats);
  nla_nest_end(m, svc);
  return std::move(*msg);
}

TEST(KernelMessage, ServiceReplyIsDecodedAsTheKernelReportsIt) {
  auto msg = kernelServiceReply(IP_VS_SVC_F_HASHED, 300);
  auto reply = decodeServiceReply(nlmsg_hdr(msg.get()));
  ASSERT_TRUE(reply.ok()) << reply.error().describe();
  EXPECT_EQ(reply->key, fwmark(AF_INET, 9));
  EXPECT_EQ(reply->service.scheduler, "wlc");
  EXPECT_TRUE(reply->service.hashed);
  EXPECT_EQ(reply->service.persistenceTimeout, 0u) << "timeout without PERSISTENT means nothing";
  EXPECT_EQ(reply->service.netmaskPrefix, 32);
  EXPECT_EQ(reply->traffic.connections, 5u);
  EXPECT_EQ(reply->traffic.inBytes, 1ull << 40);
  EXPECT_EQ(reply->traffic.outByteRate, 77u);

  auto persistent = kernelServiceReply(IP_VS_SVC_F_HASHED | IP_VS_SVC_F_PERSISTENT, 300);
  auto p = decodeServiceReply(nlmsg_hdr(persistent.get()));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->service.persistenceTimeout, 300u);
}

TEST(KernelMessage, WhatEncodeOpWritesReadsBackAsTheSameService) {
  Service s = scheduler("lblcr");
  s.persistenceTimeout = 120;
  s.netmaskPrefix = 16;
  auto msg = encodeOp(kFamilyId, AddService{tcp("10.0.0.1", 0), s});
  ASSERT_TRUE(msg.ok());
  auto reply = decodeServiceReply(nlmsg_hdr(msg->get()));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->key, tcp("10.0.0.1", 0));
  EXPECT_EQ(reply->service, s);
}

TEST(KernelMessage, DestinationReplyCarriesConnectionCountsAndStats) {
  auto msg = encodeOp(kFamilyId, AddDestination{tcp("10.0.0.1", 80), dest("10.0.1.2", 80),
                                                weighted(2, ForwardingMethod::DirectRouting)});
  ASSERT_TRUE(msg.ok());
  // Append what the kernel adds to a GET_DEST reply: counts and stats.
  nl_msg* m = msg->get();
  nlattr* extra = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
  nla_put(m, IPVS_DEST_ATTR_ADDR, 4, ip("10.0.1.3").bytes());
  nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80));
  nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_LOCALNODE);
  nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, 1);
  nla_put_u32(m, IPVS_DEST_ATTR_ACTIVE_CONNS, 4);
  nla_put_u32(m, IPVS_DEST_ATTR_INACT_CONNS, 2);
  nla_put_u32(m, IPVS_DEST_ATTR_PERSIST_CONNS, 1);
  nlattr* stats = nla_nest_start(m, IPVS_DEST_ATTR_STATS);  // the old 32-bit nest
  nla_put_u32(m, IPVS_STATS_ATTR_CONNS, 11);
  nla_put_u64(m, IPVS_STATS_ATTR_OUTBYTES, 1234);
  nla_nest_end(m, stats);
  nla_nest_end(m, extra);
  // genlmsg_parse keeps the last IPVS_CMD_ATTR_DEST, the kernel-style one.
  auto reply = decodeDestinationReply(nlmsg_hdr(m), AF_INET);
  ASSERT_TRUE(reply.ok()) << reply.error().describe();
  EXPECT_EQ(reply->key, dest("10.0.1.3", 80));
  EXPECT_EQ(reply->destination.forwarding, ForwardingMethod::Local);
  EXPECT_EQ(reply->stats.activeConnections, 4u);
  EXPECT_EQ(reply->stats.inactiveConnections, 2u);
  EXPECT_EQ(reply->stats.persistentConnections, 1u);
  EXPECT_EQ(reply->stats.traffic.connections, 11u);
  EXPECT_EQ(reply->stats.traffic.outBytes, 1234u);
}

TEST(KernelMessage, TunnelSettingsOfNonTunnelDestinationsAreDropped) {
  auto msg = newRequest(kFamilyId, IPVS_CMD_NEW_DEST);
  ASSERT_TRUE(msg.ok());
  nl_msg* m = msg->get();
  nlattr* d = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
  nla_put(m, IPVS_DEST_ATTR_ADDR, 4, ip("10.0.1.2").bytes());
  nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80));
  nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_MASQ);
  nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, 1);
  nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
  nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(6080));
  nla_nest_end(m, d);
  auto reply = decodeDestinationReply(nlmsg_hdr(m), AF_INET);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->destination, weighted(1));
}

TEST(KernelMessage, MalformedRepliesAreErrorsNotCrashes) {
  auto msg = newRequest(kFamilyId, IPVS_CMD_NEW_SERVICE);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(decodeServiceReply(nlmsg_hdr(msg->get())).error().code, EPROTO);

  nl_msg* m = msg->get();
  nlattr* svc = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
  nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET6);
  nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
  nla_put(m, IPVS_SVC_ATTR_ADDR, 4, ip("10.0.0.1").bytes());  // too short for IPv6
  nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(80));
  nla_nest_end(m, svc);
  auto reply = decodeServiceReply(nlmsg_hdr(m));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, EPROTO);
  EXPECT_FALSE(decodeDestinationReply(nlmsg_hdr(m), AF_INET).ok());
}

TEST(KernelMessage, SyncDaemonSettingsRoundTrip) {
  SyncDaemonSettings s;
  s.role = SyncRole::Backup;
  s.interface = "eth1";
  s.syncId = 51;
  s.maxLength = 1400;
  s.port = 8850;
  s.ttl = 3;
  s.group = ip("239.1.2.3");
  auto msg = encodeStartDaemon(kFamilyId, s);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(commandOf(nlmsg_hdr(msg->get())), IPVS_CMD_NEW_DAEMON);
  auto back = decodeDaemon(nlmsg_hdr(msg->get()));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, s);

  s.role = SyncRole::Master;
  s.group = ip("ff02::81");
  auto six = encodeStartDaemon(kFamilyId, s);
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(*decodeDaemon(nlmsg_hdr(six->get())), s);

  SyncDaemonSettings defaults;
  defaults.interface = "eth0";
  auto plain = encodeStartDaemon(kFamilyId, defaults);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*decodeDaemon(nlmsg_hdr(plain->get())), defaults);
}

TEST(KernelMessage, StopDaemonNamesTheRole) {
  auto msg = encodeStopDaemon(kFamilyId, SyncRole::Backup);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(commandOf(nlmsg_hdr(msg->get())), IPVS_CMD_DEL_DAEMON);
  std::array<nlattr*, IPVS_CMD_ATTR_MAX + 1> cmd{};
  ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg->get()), 0, cmd.data(), IPVS_CMD_ATTR_MAX, nullptr), 0);
  std::array<nlattr*, IPVS_DAEMON_ATTR_MAX + 1> d{};
  ASSERT_EQ(nla_parse_nested(d.data(), IPVS_DAEMON_ATTR_MAX, cmd[IPVS_CMD_ATTR_DAEMON], nullptr),
            0);
  EXPECT_EQ(nla_get_u32(d[IPVS_DAEMON_ATTR_STATE]), uint32_t{IP_VS_STATE_BACKUP});
}

TEST(KernelMessage, TimeoutsRoundTrip) {
  LvsTimeouts t{900, 120, 300};
  auto msg = encodeSetTimeouts(kFamilyId, t);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(commandOf(nlmsg_hdr(msg->get())), IPVS_CMD_SET_CONFIG);
  EXPECT_EQ(*decodeTimeouts(nlmsg_hdr(msg->get())), t);
}

TEST(KernelMessage, DumpRequestsAskForADump) {
  auto services = encodeServiceDump(kFamilyId);
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(commandOf(nlmsg_hdr(services->get())), IPVS_CMD_GET_SERVICE);
  EXPECT_EQ(nlmsg_hdr(services->get())->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
  auto dests = encodeDestinationDump(kFamilyId, fwmark(AF_INET6, 4));
  ASSERT_TRUE(dests.ok());
  EXPECT_EQ(commandOf(nlmsg_hdr(dests->get())), IPVS_CMD_GET_DEST);
  EXPECT_EQ(nla_get_u32(rawService(dests->get()).attrs[IPVS_SVC_ATTR_FWMARK]), 4u);
}

}  // namespace
}  // namespace vigil::ipvs::kernel
