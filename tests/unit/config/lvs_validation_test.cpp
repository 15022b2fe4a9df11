// Every error (and adjusting warning) of the LVS configuration, asserted as
// `vigild -t` prints it: file:line:col of the offending token, and text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/config/lvs_test_support.h"

namespace vigil::config {
namespace {

using lvstest::errors;
using lvstest::load;
using lvstest::onlyService;
using lvstest::service;
using lvstest::warnings;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Errors make the whole configuration unusable.
std::vector<std::string> errorsOf(const std::string& text) {
  auto r = load(text);
  EXPECT_EQ(r.config, nullptr);
  return errors(r);
}

// ---- virtual_server line

TEST(LvsValidationTest, MalformedServiceAddress) {
  EXPECT_THAT(errorsOf("virtual_server 10.0.0.300 80 {\n  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:1:16: error: virtual server address is not a valid IPv4 or "
                          "IPv6 address: '10.0.0.300'"));
}

TEST(LvsValidationTest, ServicePortOutOfRange) {
  EXPECT_THAT(errorsOf("virtual_server 10.0.0.1 65536 {\n  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:1:25: error: virtual server port 65536 is out of range 0-65535"));
}

TEST(LvsValidationTest, FwmarkZero) {
  EXPECT_THAT(errorsOf("virtual_server fwmark 0 {\n  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:1:23: error: 'fwmark' 0 is out of range 1-4294967295"));
}

TEST(LvsValidationTest, GroupWithoutName) {
  EXPECT_THAT(errorsOf("virtual_server group {\n  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:1:16: error: 'virtual_server group' needs a group name"));
}

TEST(LvsValidationTest, ServiceWithoutBlock) {
  EXPECT_THAT(errorsOf("virtual_server 10.0.0.1 80\n"),
              ElementsAre("t.conf:1:1: error: 'virtual_server' needs a { ... } block"));
}

TEST(LvsValidationTest, GroupNamingNoGroup) {
  EXPECT_THAT(
      errorsOf("virtual_server group web {\n  protocol TCP\n  real_server 10.0.0.2 80\n}\n"),
      ElementsAre("t.conf:1:1: error: virtual_server group 'web' names no "
                  "virtual_server_group"));
}

TEST(LvsValidationTest, EmptyGroup) {
  auto r = load(
      "virtual_server_group web {\n}\n"
      "virtual_server group web {\n  protocol TCP\n  real_server 10.0.0.2 80\n}\n");
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:1:1: warning: virtual_server_group 'web' has no entries"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:3:1: error: virtual_server group 'web' has no entries"));
}

TEST(LvsValidationTest, DuplicateGroup) {
  EXPECT_THAT(errorsOf("virtual_server_group g {\n  10.0.0.1 80\n}\n"
                       "virtual_server_group g {\n  10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:4:1: error: virtual_server_group 'g' is defined twice (first "
                          "at t.conf:1:1)"));
}

TEST(LvsValidationTest, DuplicateService) {
  std::string vs = service("");
  EXPECT_THAT(errorsOf(vs + vs), ElementsAre("t.conf:6:1: error: virtual server "
                                             "[10.0.0.1]:tcp:80 is defined twice (first at "
                                             "t.conf:1:1)"));
}

TEST(LvsValidationTest, SameAddressWithAnotherProtocolIsAnotherService) {
  std::string udp = "virtual_server 10.0.0.1 80 {\n  protocol UDP\n  real_server 10.0.0.2 80\n}\n";
  EXPECT_THAT(errors(load(service("") + udp)), IsEmpty());
}

// ---- scheduler, forwarding, protocol

TEST(LvsValidationTest, UnknownScheduler) {
  EXPECT_THAT(errorsOf(service("  lb_algo foo\n")),
              ElementsAre("t.conf:3:11: error: unknown 'lb_algo' 'foo' (expected one of "
                          "rr|wrr|lc|wlc|lblc|lblcr|dh|sh|mh|sed|nq|fo|ovf|twos)"));
}

TEST(LvsValidationTest, UnknownForwardingMethod) {
  EXPECT_THAT(errorsOf(service("  lb_kind MASQ\n")),
              ElementsAre("t.conf:3:11: error: unknown 'lb_kind' 'MASQ' (expected one of "
                          "NAT|DR|TUN)"));
}

TEST(LvsValidationTest, FullNatIsRejectedClearly) {
  EXPECT_THAT(errorsOf(service("", "    lvs_method FNAT\n")),
              ElementsAre("t.conf:4:16: error: 'lvs_method' FNAT is not supported: the Linux "
                          "kernel's IPVS has no full-NAT forwarding (use NAT, DR or TUN)"));
}

TEST(LvsValidationTest, TunnelOptionErrors) {
  EXPECT_THAT(errorsOf(service("  lvs_method NAT type gue\n")),
              ElementsAre("t.conf:3:18: error: 'lvs_method' NAT takes no tunnel options, got "
                          "'type'"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN type gue\n")),
              ElementsAre("t.conf:3:23: error: gue tunnels need 'port N'"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN type vxlan\n")),
              ElementsAre("t.conf:3:23: error: unknown tunnel type 'vxlan' (expected one of "
                          "ipip|gue|gre)"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN port 5\n")),
              ElementsAre("t.conf:3:18: error: 'port' applies only to gue tunnels"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN type gue port 0\n")),
              ElementsAre("t.conf:3:32: error: gue tunnel port 0 is out of range 1-65535"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN type gre remcsum\n")),
              ElementsAre("t.conf:3:27: error: 'remcsum' is not available for gre tunnels"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN csum\n")),
              ElementsAre("t.conf:3:18: error: 'csum' applies only to gue and gre tunnels"));
  EXPECT_THAT(errorsOf(service("  lvs_method TUN type gre csum extra\n")),
              ElementsAre("t.conf:3:32: error: unexpected 'extra' in 'lvs_method' (expected "
                          "[type ipip|gue port N|gre] [nocsum|csum|remcsum])"));
  EXPECT_THAT(errorsOf(service("  sorry_server 10.0.0.9 80\n  sorry_server_lvs_method TUN type\n")),
              ElementsAre("t.conf:4:31: error: 'sorry_server_lvs_method' 'type' needs one of "
                          "ipip|gue|gre"));
}

TEST(LvsValidationTest, UnknownProtocol) {
  EXPECT_THAT(
      errorsOf("virtual_server 10.0.0.1 80 {\n  protocol ICMP\n  real_server 10.0.0.2\n}\n"),
      ElementsAre("t.conf:2:12: error: unknown 'protocol' 'ICMP' (expected one of "
                  "TCP|UDP|SCTP)"));
}

TEST(LvsValidationTest, UnknownIpFamily) {
  EXPECT_THAT(errorsOf(service("  ip_family ipx\n")),
              ElementsAre("t.conf:3:13: error: unknown 'ip_family' 'ipx' (expected one of "
                          "inet|inet6)"));
}

TEST(LvsValidationTest, IpFamilyConflictsWithTheAddress) {
  EXPECT_THAT(errorsOf(service("  ip_family inet6\n")),
              ElementsAre("t.conf:3:13: error: 'ip_family' inet6 conflicts with the IPv4 virtual "
                          "server address"));
}

TEST(LvsValidationTest, PersistenceGranularityFollowsTheFamily) {
  EXPECT_THAT(errorsOf(service("  persistence_granularity 24\n")),
              ElementsAre("t.conf:3:27: error: 'persistence_granularity' of an IPv4 service is a "
                          "netmask such as 255.255.255.0, got '24'"));
  EXPECT_THAT(errorsOf("virtual_server 2001:db8::1 80 {\n  protocol TCP\n"
                       "  persistence_granularity 255.255.0.0\n  real_server 2001:db8::2 80\n}\n"),
              ElementsAre("t.conf:3:27: error: 'persistence_granularity' of an IPv6 service is a "
                          "prefix length 1-128, got '255.255.0.0'"));
  EXPECT_THAT(errorsOf(service("  persistence_granularity 255.0.255.0\n")),
              ElementsAre("t.conf:3:27: error: 'persistence_granularity' netmask 255.0.255.0 is "
                          "not a contiguous, non-zero netmask"));
  EXPECT_THAT(errorsOf(service("  persistence_granularity 1.2.3\n")),
              ElementsAre("t.conf:3:27: error: 'persistence_granularity' must be an IPv4 netmask "
                          "such as 255.255.255.0 or an IPv6 prefix length, got '1.2.3'"));
  EXPECT_THAT(errorsOf("virtual_server fwmark 1 {\n  persistence_granularity 129\n"
                       "  real_server 2001:db8::2 80\n}\n"),
              ElementsAre("t.conf:2:27: error: 'persistence_granularity' 129 is out of range "
                          "1-128"));
}

TEST(LvsValidationTest, PersistenceTimeoutZero) {
  EXPECT_THAT(errorsOf(service("  persistence_timeout 0\n")),
              ElementsAre("t.conf:3:23: error: 'persistence_timeout' 0 is out of range "
                          "1-4294967295"));
}

TEST(LvsValidationTest, QuorumZero) {
  EXPECT_THAT(errorsOf(service("  quorum 0\n")),
              ElementsAre("t.conf:3:10: error: 'quorum' 0 is out of range 1-4294967295"));
}

TEST(LvsValidationTest, TimerOutOfRange) {
  EXPECT_THAT(errorsOf(service("  delay_loop 0\n")),
              ElementsAre("t.conf:3:14: error: 'delay_loop' 0 is out of range 0.000001-4294.967295 "
                          "seconds"));
  EXPECT_THAT(errorsOf(service("", "    connect_timeout soon\n")),
              ElementsAre("t.conf:4:21: error: 'connect_timeout' must be a number of seconds, got "
                          "'soon'"));
}

// ---- real servers

TEST(LvsValidationTest, MalformedRealServerAddress) {
  EXPECT_THAT(
      errorsOf("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0 80\n}\n"),
      ElementsAre("t.conf:3:15: error: real server address is not a valid IPv4 or IPv6 "
                  "address: '10.0.0'"));
}

TEST(LvsValidationTest, RealServerPortOutOfRange) {
  EXPECT_THAT(errorsOf("virtual_server 10.0.0.1 80 {\n  protocol TCP\n"
                       "  real_server 10.0.0.2 70000\n}\n"),
              ElementsAre("t.conf:3:24: error: real server port 70000 is out of range 0-65535"));
}

TEST(LvsValidationTest, WeightOutOfRange) {
  EXPECT_THAT(errorsOf(service("", "    weight -1\n")),
              ElementsAre("t.conf:4:12: error: 'weight' -1 is out of range 0-2147483647"));
  EXPECT_THAT(errorsOf(service("", "    weight 2147483648\n")),
              ElementsAre("t.conf:4:12: error: 'weight' 2147483648 is out of range 0-2147483647"));
  EXPECT_THAT(errorsOf(service("  weight heavy\n")),
              ElementsAre("t.conf:3:10: error: 'weight' must be an integer, got 'heavy'"));
}

TEST(LvsValidationTest, RealServerFamilyDiffersFromItsService) {
  EXPECT_THAT(errorsOf("virtual_server 10.0.0.1 80 {\n  protocol TCP\n"
                       "  real_server 2001:db8::2 80\n}\n"),
              ElementsAre("t.conf:3:3: error: real server 2001:db8::2 is IPv6 but virtual server "
                          "[10.0.0.1]:tcp:80 is IPv4 (only TUN servers may differ)"));
}

TEST(LvsValidationTest, FwmarkServiceWithRealServersOfBothFamilies) {
  EXPECT_THAT(errorsOf("virtual_server fwmark 1 {\n  real_server 10.0.0.2 80\n"
                       "  real_server 2001:db8::2 80\n}\n"),
              ElementsAre("t.conf:3:3: error: real server 2001:db8::2 is IPv6 but virtual server "
                          "FWM 1 is IPv4 (only TUN servers may differ)"));
}

TEST(LvsValidationTest, GroupOfBothFamiliesNeedsTunnelledServers) {
  std::string group = "virtual_server_group g {\n  10.0.0.1 80\n  2001:db8::1 80\n}\n";
  EXPECT_THAT(errorsOf(group + "virtual_server group g {\n  protocol TCP\n"
                               "  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:7:3: error: real server 10.0.0.2 must use TUN: virtual server "
                          "group g mixes IPv4 and IPv6 addresses"));
  EXPECT_THAT(errors(load(group + "virtual_server group g {\n  protocol TCP\n  lb_kind TUN\n"
                                  "  real_server 10.0.0.2 80\n}\n")),
              IsEmpty());
}

TEST(LvsValidationTest, GroupFamilyConflictsWithIpFamily) {
  EXPECT_THAT(errorsOf("virtual_server_group g {\n  10.0.0.1 80\n}\n"
                       "virtual_server group g {\n  protocol TCP\n  ip_family inet6\n"
                       "  lb_kind TUN\n  real_server 10.0.0.2 80\n}\n"),
              ElementsAre("t.conf:4:1: error: virtual server group g is IPv6 (ip_family or "
                          "persistence_granularity) but its group holds IPv4 entries"));
}

TEST(LvsValidationTest, SorryServerFamilyMismatch) {
  EXPECT_THAT(errorsOf(service("  sorry_server 2001:db8::9 80\n")),
              ElementsAre("t.conf:3:3: error: sorry server 2001:db8::9 is IPv6 but virtual server "
                          "[10.0.0.1]:tcp:80 is IPv4 (only TUN servers may differ)"));
}

TEST(LvsValidationTest, MalformedSorryServer) {
  EXPECT_THAT(errorsOf(service("  sorry_server 10.0.0.9 http\n")),
              ElementsAre("t.conf:3:25: error: sorry server port must be an integer, got 'http'"));
}

TEST(LvsValidationTest, DuplicateRealServer) {
  EXPECT_THAT(errorsOf(service("  real_server 10.0.0.2\n")),
              ElementsAre("t.conf:4:3: error: real server [10.0.0.2]:80 is listed twice in virtual "
                          "server [10.0.0.1]:tcp:80 (first at t.conf:3:3)"));
}

TEST(LvsValidationTest, LowerThresholdAboveUpper) {
  EXPECT_THAT(errorsOf(service("", "    uthreshold 10\n    lthreshold 20\n")),
              ElementsAre("t.conf:5:16: error: real server 'lthreshold' 20 is above its "
                          "'uthreshold' 10"));
}

TEST(LvsValidationTest, NotifyScriptArguments) {
  EXPECT_THAT(errorsOf(service("", "    notify_up /bin/a b c d\n")),
              ElementsAre("t.conf:4:5: error: 'notify_up' takes 1 to 3 arguments, got 4"));
}

// ---- checkers

TEST(LvsValidationTest, CheckerWithoutPort) {
  EXPECT_THAT(errorsOf("virtual_server fwmark 1 {\n  real_server 10.0.0.2 {\n"
                       "    TCP_CHECK {\n    }\n  }\n}\n"),
              ElementsAre("t.conf:3:5: error: TCP_CHECK has no port to connect to: give the real "
                          "server a port or set 'connect_port'"));
}

TEST(LvsValidationTest, CheckerAddressesAndInterfaces) {
  EXPECT_THAT(errorsOf(service("", "    TCP_CHECK {\n      connect_ip 10.0.0.256\n    }\n")),
              ElementsAre("t.conf:5:18: error: 'connect_ip' is not a valid IPv4 or IPv6 address: "
                          "'10.0.0.256'"));
  EXPECT_THAT(errorsOf(service("", "    TCP_CHECK {\n      bindto 2001:db8::1\n    }\n")),
              ElementsAre("t.conf:4:5: error: TCP_CHECK 'bindto' 2001:db8::1 is not of the same "
                          "address family as the target 10.0.0.2"));
  EXPECT_THAT(errorsOf(service("",
                               "    TCP_CHECK {\n      connect_ip 2001:db8::2\n"
                               "      bindto fe80::1\n    }\n")),
              ElementsAre("t.conf:4:5: error: TCP_CHECK 'bindto' fe80::1 is link-local and needs "
                          "'bind_if'"));
  EXPECT_THAT(
      errorsOf(service("", "    TCP_CHECK {\n      bind_if averyveryverylongname\n    }\n")),
      ElementsAre("t.conf:5:15: error: interface name 'averyveryverylongname' is longer "
                  "than 15 characters"));
  EXPECT_THAT(errorsOf(service("", "    TCP_CHECK {\n      connect_port 0\n    }\n")),
              ElementsAre("t.conf:5:20: error: 'connect_port' 0 is out of range 1-65535"));
}

TEST(LvsValidationTest, HttpGetWithoutUrl) {
  EXPECT_THAT(errorsOf(service("", "    HTTP_GET {\n    }\n")),
              ElementsAre("t.conf:4:5: error: HTTP_GET needs at least one url { path ... }"));
}

TEST(LvsValidationTest, UrlWithoutPath) {
  EXPECT_THAT(errorsOf(service("",
                               "    SSL_GET {\n      url {\n        digest "
                               "640205b7b0fc66c1ea91c463fac6334d\n      }\n    }\n")),
              ElementsAre("t.conf:5:7: error: url needs a 'path'",
                          "t.conf:4:5: error: SSL_GET needs at least one url { path ... }"));
}

std::string url(const std::string& line) {
  return service(
      "", "    HTTP_GET {\n      url {\n        path /\n        " + line + "\n      }\n    }\n");
}

TEST(LvsValidationTest, StatusCodes) {
  EXPECT_THAT(errorsOf(url("status_code 200 99")),
              ElementsAre("t.conf:7:25: error: 'status_code' 99 is out of range 100-599"));
  EXPECT_THAT(errorsOf(url("status_code 200-600")),
              ElementsAre("t.conf:7:21: error: 'status_code' 600 is out of range 100-599"));
  EXPECT_THAT(errorsOf(url("status_code 300-200")),
              ElementsAre("t.conf:7:21: error: 'status_code' range 300-200 ends before it starts"));
  EXPECT_THAT(errorsOf(url("status_code ok")),
              ElementsAre("t.conf:7:21: error: 'status_code' must be a code or a range like "
                          "200-299, got 'ok'"));
}

TEST(LvsValidationTest, Digest) {
  EXPECT_THAT(errorsOf(url("digest 640205b7b0fc66c1ea91c463fac6334")),
              ElementsAre("t.conf:7:16: error: 'digest' must be 32 hex digits (an MD5 as genhash "
                          "prints it), got '640205b7b0fc66c1ea91c463fac6334'"));
  EXPECT_THAT(errorsOf(url("digest 640205b7b0fc66c1ea91c463fac6334g")),
              ElementsAre("t.conf:7:16: error: 'digest' must be 32 hex digits (an MD5 as genhash "
                          "prints it), got '640205b7b0fc66c1ea91c463fac6334g'"));
}

TEST(LvsValidationTest, RegexSettings) {
  EXPECT_THAT(errorsOf(url("regex_options caseless shouty")),
              ElementsAre("t.conf:7:32: error: unknown regex option 'shouty' (see pcre2api(3))"));
  EXPECT_THAT(errorsOf(url("regex_stack 2048 1024")),
              ElementsAre("t.conf:7:26: error: 'regex_stack' maximum 1024 is below its start "
                          "2048"));
  EXPECT_THAT(errorsOf(service("",
                               "    HTTP_GET {\n      url {\n        path /\n        regex x\n"
                               "        regex_min_offset 10\n        regex_max_offset 5\n"
                               "      }\n    }\n")),
              ElementsAre("t.conf:9:26: error: 'regex_max_offset' is below 'regex_min_offset'"));
  auto r = load(url("regex_no_match"));
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:7:9: warning: regex settings without 'regex' have no effect"));
}

TEST(LvsValidationTest, HttpProtocol) {
  EXPECT_THAT(errorsOf(service("",
                               "    HTTP_GET {\n      http_protocol 2\n      url {\n"
                               "        path /\n      }\n    }\n")),
              ElementsAre("t.conf:5:21: error: unknown 'http_protocol' '2' (expected one of "
                          "1.0|1.0C|1.0K|1.1|1.1K)"));
}

TEST(LvsValidationTest, MiscCheckWithoutPath) {
  EXPECT_THAT(errorsOf(service("", "    MISC_CHECK {\n      misc_dynamic\n    }\n")),
              ElementsAre("t.conf:4:5: error: MISC_CHECK needs a 'misc_path'"));
}

TEST(LvsValidationTest, FileCheckWithoutOrWithUnknownTrackFile) {
  EXPECT_THAT(errorsOf(service("", "    FILE_CHECK {\n    }\n")),
              ElementsAre("t.conf:4:5: error: FILE_CHECK needs a 'track_file'"));
  EXPECT_THAT(errorsOf(service("", "    FILE_CHECK {\n      track_file nope\n    }\n")),
              ElementsAre("t.conf:5:18: error: FILE_CHECK 'track_file' 'nope' names no track_file "
                          "block"));
  EXPECT_THAT(errorsOf("track_file f {\n  file /run/f\n}\n" +
                       service("",
                               "    FILE_CHECK {\n      track_file f\n      weight 1 up\n"
                               "    }\n")),
              ElementsAre("t.conf:9:16: error: unknown 'weight' option 'up' (expected one of "
                          "reverse|noreverse)"));
}

TEST(LvsValidationTest, DnsType) {
  EXPECT_THAT(errorsOf(service("", "    DNS_CHECK {\n      type SPF\n    }\n")),
              ElementsAre("t.conf:5:12: error: unknown DNS_CHECK 'type' 'SPF' (expected one of "
                          "A|NS|CNAME|SOA|MX|TXT|AAAA|RRSIG|DNSKEY)"));
}

TEST(LvsValidationTest, UdpCheckHexAndLengths) {
  EXPECT_THAT(errorsOf(service("", "    UDP_CHECK {\n      payload 12 zz\n    }\n")),
              ElementsAre("t.conf:5:18: error: 'payload' must be hex digits, got 'zz'"));
  EXPECT_THAT(errorsOf(service("", "    UDP_CHECK {\n      require_reply 1g\n    }\n")),
              ElementsAre("t.conf:5:21: error: 'require_reply' must be hex digits (x for any), got "
                          "'1g'"));
  EXPECT_THAT(errorsOf(service("",
                               "    UDP_CHECK {\n      min_reply_length 10\n"
                               "      max_reply_length 5\n    }\n")),
              ElementsAre("t.conf:4:5: error: UDP_CHECK 'min_reply_length' 10 is above "
                          "'max_reply_length' 5"));
}

TEST(LvsValidationTest, CheckerTakesNoArguments) {
  EXPECT_THAT(errorsOf(service("", "    TCP_CHECK now {\n    }\n")),
              ElementsAre("t.conf:4:5: error: 'TCP_CHECK' takes 0 arguments, got 1"));
}

// ---- virtual_server_group entries

TEST(LvsValidationTest, GroupEntries) {
  auto group = [](const std::string& entry) {
    return "virtual_server_group g {\n  " + entry + "\n}\n";
  };
  EXPECT_THAT(errorsOf(group("10.0.0.300 80")),
              ElementsAre("t.conf:2:3: error: virtual_server_group entry is not a valid address, "
                          "range or 'fwmark': '10.0.0.300'"));
  EXPECT_THAT(errorsOf(group("10.0.0.10-5 80")),
              ElementsAre("t.conf:2:3: error: address range 10.0.0.10-5 ends before it starts"));
  EXPECT_THAT(errorsOf(group("10.0.0.1-300 80")),
              ElementsAre("t.conf:2:3: error: virtual_server_group entry is not a valid address "
                          "range: '10.0.0.1-300'"));
  EXPECT_THAT(errorsOf(group("10.0.0.1-2001:db8::1 80")),
              ElementsAre("t.conf:2:3: error: virtual_server_group entry is not a valid address "
                          "range: '10.0.0.1-2001:db8::1'"));
  EXPECT_THAT(errorsOf(group("10.0.0.0/33 80")),
              ElementsAre("t.conf:2:3: error: virtual_server_group entry is not a valid "
                          "address/prefix: '10.0.0.0/33'"));
  EXPECT_THAT(errorsOf(group("10.0.0.1 99999")),
              ElementsAre("t.conf:2:12: error: virtual_server_group port 99999 is out of range "
                          "0-65535"));
  EXPECT_THAT(errorsOf(group("fwmark 0")),
              ElementsAre("t.conf:2:10: error: 'fwmark' 0 is out of range 1-4294967295"));
  EXPECT_THAT(errorsOf(group("fwmark 1 ipx")),
              ElementsAre("t.conf:2:12: error: unknown address family 'ipx' (expected one of "
                          "inet|inet6)"));
  auto r = load(group("10.0.0.9/29 80"));
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:2:3: warning: 10.0.0.9/29 has host bits set; the "
                                       "range is 10.0.0.8-10.0.0.15"));
}

// ---- warnings where keepalived adjusts the setting

TEST(LvsValidationTest, QuorumAboveTotalWeightIsReduced) {
  auto r = load(service("  quorum 3\n  hysteresis 3\n", "    weight 2\n"));
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:1:1: warning: quorum 3 of virtual server [10.0.0.1]:tcp:80 "
                          "exceeds the total weight 2 of its real servers; using 2 as keepalived "
                          "does",
                          "t.conf:1:1: warning: hysteresis 3 is not below quorum 2; using 1"));
  EXPECT_EQ(onlyService(r).quorum, 2u);
  EXPECT_EQ(onlyService(r).hysteresis, 1u);
}

TEST(LvsValidationTest, SchedulerFlagForAnotherScheduler) {
  auto r = load(service("  lb_algo rr\n  sh-port\n"));
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:4:3: warning: 'sh-port' applies only to the sh "
                                       "scheduler; ignored"));
  EXPECT_EQ(onlyService(r).schedulerFlags, 0);
}

TEST(LvsValidationTest, OnePacketSchedulingNeedsUdp) {
  auto r = load(service("  ops\n"));
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:1:1: warning: 'ops' (one-packet scheduling) "
                                       "applies only to UDP services; ignored"));
  EXPECT_FALSE(onlyService(r).onePacket);
}

TEST(LvsValidationTest, ServiceWithoutProtocolIsUdpAsInKeepalived) {
  auto r = load("virtual_server 10.0.0.1 53 {\n  real_server 10.0.0.2 53\n}\n");
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:1:1: warning: virtual server [10.0.0.1]:udp:53 has "
                                       "no 'protocol'; using UDP as keepalived does (write "
                                       "'protocol TCP' for TCP)"));
  EXPECT_EQ(onlyService(r).protocol, LvsProtocol::Udp);
}

TEST(LvsValidationTest, FwmarkServicesIgnoreProtocolAndHaSuspend) {
  auto r = load(
      "virtual_server fwmark 1 {\n  protocol TCP\n  ha_suspend\n"
      "  real_server 10.0.0.2 80\n}\n");
  EXPECT_THAT(
      warnings(r),
      ElementsAre("t.conf:2:12: warning: 'protocol' is ignored for fwmark services",
                  "t.conf:1:1: warning: 'ha_suspend' cannot be used with fwmarks; ignored"));
  EXPECT_FALSE(onlyService(r).haSuspend);
}

TEST(LvsValidationTest, PortlessServiceIsMadePersistent) {
  auto r = load("virtual_server 10.0.0.1 {\n  protocol TCP\n  real_server 10.0.0.2\n}\n");
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:1:1: warning: virtual server [10.0.0.1]:tcp:0 has "
                                       "no port, which only persistent services may omit; made "
                                       "persistent (360 s) as keepalived does"));
  EXPECT_EQ(onlyService(r).persistenceTimeout, 360u);
}

TEST(LvsValidationTest, DirectRoutingKeepsTheServicesPort) {
  auto fixed = load(
      "virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_kind DR\n"
      "  real_server 10.0.0.2 8080\n}\n"
      "virtual_server fwmark 2 {\n  lb_kind TUN\n  real_server 10.0.0.3 443\n}\n");
  EXPECT_THAT(warnings(fixed),
              ElementsAre("t.conf:4:3: warning: real server port 8080 differs from the virtual "
                          "server's port 80; DR forwards to 80",
                          "t.conf:8:3: warning: real server port 443 is ignored: TUN to a fwmark "
                          "service keeps the packet's port"));
  ASSERT_TRUE(fixed.config);
  EXPECT_EQ(fixed.config->lvs.virtualServers.at(0).realServers.at(0).port, 80);
  EXPECT_EQ(fixed.config->lvs.virtualServers.at(1).realServers.at(0).port, 0);
}

TEST(LvsValidationTest, DirectRoutingRealServerPortAgainstGroupEntries) {
  auto r = load(
      "virtual_server_group g {\n  10.0.0.1 80\n  10.0.0.1 443\n}\n"
      "virtual_server group g {\n  protocol TCP\n  lb_kind DR\n"
      "  real_server 10.0.0.2 80\n}\n");
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:8:3: warning: real server port 80 is not used: DR "
                                       "keeps the port of group 'g' entry at t.conf:3:3"));
}

TEST(LvsValidationTest, SorrySettingsWithoutSorryServer) {
  auto r = load(service("  sorry_server_inhibit\n  sorry_server_lvs_method DR\n"));
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:4:3: warning: 'sorry_server_lvs_method' without a "
                          "'sorry_server'; ignored",
                          "t.conf:3:3: warning: 'sorry_server_inhibit' without a 'sorry_server'; "
                          "ignored"));
}

TEST(LvsValidationTest, SniSettingsOnPlainHttp) {
  auto r = load(service("",
                        "    HTTP_GET {\n      enable_sni\n      url {\n        path /\n"
                        "      }\n    }\n"));
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:4:5: warning: enable_sni, sni_name and verify_cert "
                                       "apply only to SSL_GET"));
}

}  // namespace
}  // namespace vigil::config
