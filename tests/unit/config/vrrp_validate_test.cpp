// Every VRRP configuration error, with the exact place and text `vigild -t`
// prints. instance() writes "vrrp_instance N {" on line 1, interface on 2,
// virtual_router_id on 3 and the extra lines from line 4 on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using testing::errors;
using ::testing::HasSubstr;
using testing::instance;
using ::testing::IsEmpty;
using testing::load;
using testing::warnings;

// An instance whose lines are all given (no default VIP or interface).
std::string bare(std::string_view body, std::string_view name = "A") {
  return "vrrp_instance " + std::string(name) + " {\n" + std::string(body) + "}\n";
}

TEST(VrrpValidateTest, DuplicateInstanceName) {
  auto r = load(instance("A", "") + instance("A", "", "52"));
  EXPECT_THAT(
      errors(r),
      ElementsAre("t.conf:8:15: error: vrrp_instance 'A' is already defined at t.conf:1:1"));
}

TEST(VrrpValidateTest, DuplicateScriptAndSyncGroupNames) {
  auto r = load(
      "vrrp_script s {\n  script /bin/true\n}\nvrrp_script s {\n  script /bin/false\n}\n"
      "vrrp_sync_group G {\n  group {\n    A\n  }\n}\nvrrp_sync_group G {\n}\n" +
      instance("A", ""));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:13: error: vrrp_script 's' is already defined at t.conf:1:1",
                          "t.conf:12:17: error: vrrp_sync_group 'G' is already defined at "
                          "t.conf:7:1"));
}

TEST(VrrpValidateTest, InstanceBlockShape) {
  EXPECT_THAT(errors(load("vrrp_instance {\n}\n")),
              ElementsAre("t.conf:1:1: error: 'vrrp_instance' takes 1 argument, got 0"));
  EXPECT_THAT(errors(load("vrrp_instance A\n")),
              ElementsAre("t.conf:1:1: error: 'vrrp_instance' needs a { ... } block"));
}

TEST(VrrpValidateTest, VirtualRouterIdRange) {
  EXPECT_THAT(errors(load(instance("A", "", "256"))),
              ElementsAre("t.conf:3:21: error: 'virtual_router_id' 256 is out of range 1-255"));
  EXPECT_THAT(errors(load(instance("A", "", "0"))),
              ElementsAre("t.conf:3:21: error: 'virtual_router_id' 0 is out of range 1-255"));
}

TEST(VrrpValidateTest, MissingVirtualRouterId) {
  auto r = load(bare("  interface eth0\n  virtual_ipaddress {\n    10.0.0.1\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:1:1: error: vrrp_instance 'A' has no 'virtual_router_id'"));
}

TEST(VrrpValidateTest, PriorityRange) {
  EXPECT_THAT(errors(load(instance("A", "  priority 0\n"))),
              ElementsAre("t.conf:4:12: error: 'priority' 0 is out of range 1-255"));
  EXPECT_THAT(errors(load(instance("A", "  priority 256\n"))),
              ElementsAre("t.conf:4:12: error: 'priority' 256 is out of range 1-255"));
}

TEST(VrrpValidateTest, AdvertIntRangeWhenRead) {
  EXPECT_THAT(errors(load(instance("A", "  advert_int 300\n"))),
              ElementsAre("t.conf:4:14: error: 'advert_int' 300 is out of range 0.01-255 seconds"));
  EXPECT_THAT(errors(load(instance("A", "  advert_int 0\n"))),
              ElementsAre("t.conf:4:14: error: 'advert_int' 0 is out of range 0.01-255 seconds"));
}

TEST(VrrpValidateTest, Version2AdvertIntBelowOneSecond) {
  EXPECT_THAT(errors(load(instance("A", "  advert_int 0.5\n"))),
              ElementsAre("t.conf:4:14: error: VRRPv2 'advert_int' must be whole seconds from 1 "
                          "to 255, got 0.5 (use 'version 3' for shorter intervals)"));
}

TEST(VrrpValidateTest, Version3AdvertIntAbove4095Centiseconds) {
  EXPECT_THAT(errors(load(instance("A", "  version 3\n  advert_int 41\n"))),
              ElementsAre("t.conf:5:14: error: VRRPv3 'advert_int' 41 is out of range 0.01-40.95 "
                          "seconds"));
  // The version may come from global_defs, after the instance.
  EXPECT_THAT(
      errors(load(instance("A", "  advert_int 40.96\n") + "global_defs {\n  vrrp_version 3\n}\n")),
      ElementsAre("t.conf:4:14: error: VRRPv3 'advert_int' 40.96 is out of range "
                  "0.01-40.95 seconds"));
}

TEST(VrrpValidateTest, VersionStateAndAuthTypeWords) {
  auto r = load(instance("A",
                         "  version 4\n  state master\n  authentication {\n"
                         "    auth_type SECRET\n    auth_pass x\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:11: error: 'version' 4 is out of range 2-3",
                          "t.conf:5:9: error: unknown state 'master' (expected one of "
                          "MASTER|BACKUP)",
                          "t.conf:7:15: error: unknown auth_type 'SECRET' (expected one of "
                          "PASS|AH)"));
}

TEST(VrrpValidateTest, MalformedVirtualAddresses) {
  auto r = load(bare(R"(  interface eth0
  virtual_router_id 5
  virtual_ipaddress {
    10.0.0.300/24
    10.0.0.2/33
    10.0.0.3 dev
    10.0.0.4 brd fe80::1
    10.0.0.5 scope galaxy
    10.0.0.6 colour blue
    10.0.0.7 track_group X
    10.0.0.8 preferred_lft soon
  }
)"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:5:5: error: 'virtual_ipaddress' entry is not a valid address or "
                          "address/prefix: '10.0.0.300/24'",
                          "t.conf:6:5: error: 'virtual_ipaddress' entry is not a valid address or "
                          "address/prefix: '10.0.0.2/33'",
                          "t.conf:7:14: error: 'virtual_ipaddress' option 'dev' needs a value",
                          "t.conf:8:18: error: 'virtual_ipaddress' brd fe80::1 is not of the same "
                          "family as the address",
                          "t.conf:9:20: error: unknown scope 'galaxy' (expected one of "
                          "global|site|link|host|nowhere)",
                          "t.conf:10:14: error: unknown 'virtual_ipaddress' option 'colour'",
                          "t.conf:11:14: error: unknown 'virtual_ipaddress' option 'track_group'",
                          "t.conf:12:28: error: 'virtual_ipaddress' preferred_lft must be an "
                          "integer, got 'soon'"));
}

TEST(VrrpValidateTest, MixedFamiliesAmongVips) {
  auto r =
      load(bare("  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n    10.0.0.1\n"
                "    2001:db8::1\n  }\n  virtual_ipaddress_excluded {\n    2001:db8::2\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:6:5: error: VIP 2001:db8::1 is IPv6 but vrrp_instance 'A' is "
                          "IPv4 (from t.conf:5:5); use virtual_ipaddress_excluded for addresses "
                          "of the other family"));
}

TEST(VrrpValidateTest, UnicastPeerOfTheOtherFamily) {
  auto r =
      load(bare("  interface eth0\n  virtual_router_id 5\n  unicast_peer {\n    fe80::5\n  }\n"
                "  virtual_ipaddress {\n    10.0.0.1\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:8:5: error: VIP 10.0.0.1 is IPv4 but vrrp_instance 'A' is IPv6 "
                          "(from t.conf:5:5); use virtual_ipaddress_excluded for addresses of the "
                          "other family"));
}

// As in keepalived, the first address in file order decides: here the
// source address, so the (IPv4) VIP is the one reported.
TEST(VrrpValidateTest, FamilyIsDecidedByTheFirstAddressInFileOrder) {
  auto r = load(instance("A", "  unicast_src_ip 2001:db8::1\n  mcast_dst_ip ff02::99\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:7:5: error: VIP 10.0.0.100/24 is IPv4 but vrrp_instance 'A' is "
                          "IPv6 (from t.conf:4:18); use virtual_ipaddress_excluded for addresses "
                          "of the other family"));
}

TEST(VrrpValidateTest, SourceAddressOfTheOtherFamily) {
  auto r =
      load(bare("  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n"
                "    10.0.0.1\n  }\n  mcast_src_ip fe80::1\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:7:16: error: 'mcast_src_ip' fe80::1 is IPv6 but vrrp_instance "
                          "'A' is IPv4 (from t.conf:5:5); use virtual_ipaddress_excluded for "
                          "addresses of the other family"));
}

TEST(VrrpValidateTest, MulticastDestinationMustBeMulticast) {
  auto r = load(instance("A", "  mcast_dst_ip 10.0.0.1\n") +
                bare("  interface eth0\n  virtual_router_id 9\n  mcast_dst_ip ff05::12\n"
                     "  virtual_ipaddress {\n    fe80::1\n  }\n",
                     "B"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:16: error: 'mcast_dst_ip' 10.0.0.1 is not a multicast address",
                          "t.conf:12:16: error: 'mcast_dst_ip' ff05::12 is not a link-local "
                          "(ffX2::) multicast address"));
}

TEST(VrrpValidateTest, MalformedUnicastPeers) {
  auto r = load(instance("A", R"(  unicast_peer {
    10.0.0.300
    10.0.0.2 min_ttl 300
    10.0.0.3 min_ttl 9 max_ttl 3
    10.0.0.4 ttl 3
    10.0.0.5 max_ttl
    10.0.0.6
  }
  unicast_ttl 0
)"));
  EXPECT_THAT(
      errors(r),
      ElementsAre("t.conf:5:5: error: 'unicast_peer' entry is not a valid IPv4 or IPv6 "
                  "address: '10.0.0.300'",
                  "t.conf:6:22: error: 'unicast_peer' min_ttl 300 is out of range 0-255",
                  "t.conf:7:5: error: 'unicast_peer' 10.0.0.3: min_ttl 9 is above max_ttl 3",
                  "t.conf:8:14: error: unknown 'unicast_peer' option 'ttl' (expected "
                  "min_ttl or max_ttl)",
                  "t.conf:9:14: error: 'unicast_peer' option 'max_ttl' needs a value",
                  "t.conf:12:15: error: 'unicast_ttl' 0 is out of range 1-255"));
}

TEST(VrrpValidateTest, EmptyUnicastPeerBlockIsAnError) {
  auto r = load(instance("A", "  unicast_peer {\n  }\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:3: error: 'unicast_peer' block is empty: vrrp_instance 'A' "
                          "would have no peer to advertise to (list its peers, or add "
                          "'unicast_fault_no_peer' to keep it in FAULT)"));
}

TEST(VrrpValidateTest, EmptyUnicastPeerBlockWithFaultNoPeerStaysInFault) {
  auto r = load(instance("A", "  unicast_fault_no_peer\n  unicast_peer {\n  }\n"));
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:5:3: warning: vrrp_instance 'A' has no unicast "
                                       "peers; it stays in FAULT until some are configured"));
  ASSERT_TRUE(r.config);
  EXPECT_TRUE(r.config->vrrp.instances[0].unicast);  // never multicast
}

TEST(VrrpValidateTest, InstanceWithoutInterface) {
  EXPECT_THAT(errors(load(bare("  virtual_router_id 5\n  virtual_ipaddress {\n    10.0.0.1\n"
                               "  }\n"))),
              ElementsAre("t.conf:1:1: error: vrrp_instance 'A' has no 'interface'"));
  EXPECT_THAT(errors(load(bare("  virtual_router_id 5\n  unicast_peer {\n    10.0.0.2\n  }\n"
                               "  virtual_ipaddress {\n    10.0.0.1 dev eth1\n  }\n"))),
              ElementsAre("t.conf:1:1: error: vrrp_instance 'A' has no 'interface'; a unicast "
                          "instance without one needs 'unicast_src_ip'"));
  EXPECT_THAT(errors(load(bare("  virtual_router_id 5\n  unicast_src_ip 2001:db8::1\n"
                               "  unicast_peer {\n    fe80::2\n  }\n"
                               "  virtual_ipaddress {\n    fe80::10 dev eth1\n  }\n"))),
              ElementsAre("t.conf:5:5: error: link-local unicast peer fe80::2 needs the "
                          "instance's 'interface'"));
}

TEST(VrrpValidateTest, DuplicateVridOnOneInterfaceAndFamily) {
  auto r = load(instance("A", "") + instance("B", ""));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:10:21: error: VRID 51 is already used on interface eth0 for "
                          "IPv4 by vrrp_instance 'A' (t.conf:1:1)"));
}

TEST(VrrpValidateTest, DuplicateVridWithOverlappingUnicastPeers) {
  auto peers = [](const char* p) { return std::string("  unicast_peer {\n    ") + p + "\n  }\n"; };
  auto r = load(instance("A", peers("10.0.0.2")) + instance("B", peers("10.0.0.2")));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:13:21: error: VRID 51 is already used on interface eth0 for "
                          "IPv4 by vrrp_instance 'A' (t.conf:1:1) with the same unicast peer "
                          "10.0.0.2"));
}

TEST(VrrpValidateTest, SameVridWithoutSharingAChannelIsFine) {
  auto peers = [](const char* p) { return std::string("  unicast_peer {\n    ") + p + "\n  }\n"; };
  std::string v6 =
      "vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 51\n"
      "  virtual_ipaddress {\n    fe80::1\n  }\n}\n";
  std::string otherIf =
      "vrrp_instance E1 {\n  interface eth1\n  virtual_router_id 51\n"
      "  virtual_ipaddress {\n    10.0.1.1\n  }\n}\n";
  auto r = load(instance("A", "") + v6 + otherIf + instance("G", "  mcast_dst_ip 224.0.0.19\n") +
                instance("U1", peers("10.0.0.2")) + instance("U2", peers("10.0.0.3")));
  EXPECT_THAT(errors(r), IsEmpty());
}

TEST(VrrpValidateTest, WeightsOutOfRange) {
  auto r = load(R"(vrrp_script s {
  script /bin/true
  weight 254
}
track_file f {
  file /x
}
vrrp_instance A {
  interface eth0
  virtual_router_id 51
  track_script {
    s weight 254
    s priority 3
  }
  track_interface {
    eth1 weight -254
  }
  track_file {
    f weight 255
    f weight
  }
  virtual_ipaddress {
    10.0.0.1
  }
}
)");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:3:10: error: 'weight' 254 is out of range -253-253",
                          "t.conf:12:14: error: 'track_script' weight 254 is out of range -253-253",
                          "t.conf:13:7: error: unknown 'track_script' option 'priority' (expected "
                          "weight N, reverse or noreverse)",
                          "t.conf:16:17: error: 'track_interface' weight -254 is out of range "
                          "-253-253",
                          "t.conf:19:14: error: 'track_file' weight 255 is out of range -254-254",
                          "t.conf:20:7: error: 'track_file' weight needs a value"));
}

TEST(VrrpValidateTest, TrackReferencesNamingNothing) {
  auto r = load(instance("A", R"(  track_script {
    nope
  }
  track_file {
    nofile
  }
  track_process {
    noproc
  }
)") + "vrrp_sync_group G {\n  group {\n    A\n  }\n  track_script {\n    gone\n  }\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:22:5: error: 'track_script' entry 'gone' names no vrrp_script",
                          "t.conf:5:5: error: 'track_script' entry 'nope' names no vrrp_script",
                          "t.conf:8:5: error: 'track_file' entry 'nofile' names no track_file",
                          "t.conf:11:5: error: 'track_process' entry 'noproc' names no "
                          "vrrp_track_process"));
}

TEST(VrrpValidateTest, TrackedObjectsMissingTheirSubject) {
  auto r = load(
      "track_file f {\n  weight 2\n}\nvrrp_track_process p {\n  quorum 2\n}\n"
      "vrrp_track_process q {\n  process x\n  quorum 3\n  quorum_max 2\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:1:1: error: track_file 'f' has no 'file'",
                          "t.conf:4:1: error: vrrp_track_process 'p' has no 'process'",
                          "t.conf:7:1: error: vrrp_track_process 'q': 'quorum_max' 2 is below "
                          "'quorum' 3"));
}

TEST(VrrpValidateTest, SyncGroupNamingNoInstanceOrSharingOne) {
  auto r = load(
      "vrrp_sync_group G {\n  group {\n    A\n    Z\n  }\n}\n"
      "vrrp_sync_group H {\n  group {\n    A\n  }\n}\n" +
      instance("A", ""));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:5: error: vrrp_sync_group 'G' names no vrrp_instance 'Z'",
                          "t.conf:9:5: error: vrrp_instance 'A' is already in vrrp_sync_group 'G' "
                          "(t.conf:1:1)"));
}

TEST(VrrpValidateTest, EmptyOrSingleMemberSyncGroupsWarn) {
  auto r = load("vrrp_sync_group E {\n  VI_2\n}\nvrrp_sync_group O {\n  group {\n    A\n  }\n}\n" +
                instance("A", ""));
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:2:3: warning: unknown keyword 'VI_2' in vrrp_sync_group; ignored",
                          "t.conf:1:1: warning: vrrp_sync_group 'E' has no 'group' members; it is "
                          "ignored",
                          "t.conf:4:1: warning: vrrp_sync_group 'O' has only one member"));
}

TEST(VrrpValidateTest, TrackGroupReferences) {
  auto r = load(
      "track_group TG {\n  group {\n    Z\n  }\n}\n"
      "static_ipaddress {\n  10.1.1.1/24 dev eth0 track_group NOPE\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:3:5: error: track_group 'TG' names no vrrp_instance 'Z'",
                          "t.conf:7:3: error: track_group 'NOPE' is not defined"));
}

TEST(VrrpValidateTest, ATrackGroupEntryWithoutAnInterfaceTracksNothingAndSaysSo) {
  auto r = load(instance("A", "") +
                "track_group TG {\n  group {\n    A\n  }\n}\n"
                "static_routes {\n  10.2.0.0/16 via 10.0.0.1 track_group TG\n}\n"
                "static_rules {\n  from 10.2.0.0/16 table 5 pref 5 track_group TG\n}\n");
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_THAT(warnings(r), Contains(HasSubstr("static route with track_group 'TG' has no dev")));
  EXPECT_THAT(warnings(r), Contains(HasSubstr("static rule with track_group 'TG' has no iif")));
}

TEST(VrrpValidateTest, MalformedRoutes) {
  auto r = load(instance("A", R"(  virtual_routes {
    via 10.0.0.1 dev eth0
    10.1.0.0/16 via 2001:db8::1
    10.2.0.0/16 via 10.0.0.999
    10.3.0.0/16 dev eth0 frobnicate
    10.4.0.0/16 table
    10.5.0.0/16 no_track track_group X
  }
)"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:5:5: error: 'virtual_routes' entry has no destination",
                          "t.conf:6:5: error: 'virtual_routes' entry mixes IPv4 and IPv6 addresses",
                          "t.conf:7:21: error: 'virtual_routes' via is not a valid IPv4 or IPv6 "
                          "address: '10.0.0.999'",
                          "t.conf:8:26: error: unknown 'virtual_routes' option 'frobnicate'",
                          "t.conf:9:17: error: 'virtual_routes' option 'table' needs a value",
                          "t.conf:10:26: error: unknown 'virtual_routes' option 'track_group'"));
}

TEST(VrrpValidateTest, MalformedRules) {
  auto r = load(instance("A", R"(  virtual_rules {
    from 10.0.0.0/8 spin 3
    from 10.0.0.0/8 to 2001:db8::/32 table 2
    to 10.1./16 table 1
  }
)"));
  EXPECT_THAT(
      errors(r),
      ElementsAre("t.conf:5:21: error: unknown 'virtual_rules' option 'spin'",
                  "t.conf:6:5: error: 'virtual_rules' entry mixes IPv4 and IPv6 addresses"));
  // keepalived skips a rule with a malformed address (its own sample has one).
  EXPECT_THAT(warnings(load(instance("A", "  virtual_rules {\n    to 10.1./16 table 1\n  }\n"))),
              ElementsAre("t.conf:5:8: warning: 'virtual_rules' address '10.1./16' is not a "
                          "valid address or address/prefix; the rule is skipped"));
}

TEST(VrrpValidateTest, UseVmacArguments) {
  auto r = load(instance("A", "  use_vmac 00:11:22\n  use_vmac averyveryverylongname\n"));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:4:12: error: 'use_vmac' MAC address '00:11:22' must be 5 or 6 "
                          "hex octets separated by ':'",
                          "t.conf:5:12: error: 'use_vmac' interface name 'averyveryverylongname' "
                          "is longer than 15 characters"));
}

TEST(VrrpValidateTest, StrictModeNeedsAVip) {
  auto r =
      load("global_defs {\n  vrrp_strict\n}\n" + bare("  interface eth0\n  virtual_router_id 5\n"));
  EXPECT_THAT(errors(r), ElementsAre("t.conf:4:1: error: strict mode: vrrp_instance 'A' needs at "
                                     "least one virtual_ipaddress"));
  // Without strict mode it is only odd.
  EXPECT_THAT(warnings(load(bare("  interface eth0\n  virtual_router_id 5\n"))),
              ElementsAre("t.conf:1:1: warning: vrrp_instance 'A' has no virtual_ipaddress"));
}

TEST(VrrpValidateTest, StrictModeTiesStateMasterToTheAddressOwner) {
  EXPECT_THAT(errors(load(instance("A", "  strict_mode\n  state MASTER\n  priority 100\n"))),
              ElementsAre("t.conf:5:9: error: strict mode: vrrp_instance 'A' must be 'state "
                          "MASTER' exactly when it has priority 255 (the address owner)"));
  EXPECT_THAT(errors(load(instance("A", "  strict_mode\n  priority 255\n"))),
              ElementsAre("t.conf:5:12: error: strict mode: vrrp_instance 'A' must be 'state "
                          "MASTER' exactly when it has priority 255 (the address owner)"));
  EXPECT_THAT(errors(load(instance("A", "  strict_mode\n  state MASTER\n"))), IsEmpty());
}

TEST(VrrpValidateTest, FirstIpv6VipShouldBeLinkLocal) {
  std::string v6 = bare(
      "  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n"
      "    2001:db8::1\n    fe80::1\n  }\n");
  EXPECT_THAT(warnings(load(v6)),
              ElementsAre("t.conf:5:5: warning: the first IPv6 VIP of vrrp_instance 'A' should "
                          "be link-local (RFC 5798)"));
  EXPECT_THAT(errors(load("global_defs {\n  vrrp_strict\n}\n" + v6)),
              ElementsAre("t.conf:8:5: error: strict mode: the first IPv6 VIP of vrrp_instance "
                          "'A' should be link-local (RFC 5798)"));
}

TEST(VrrpValidateTest, UnknownInstanceKeywordWarnsOrFailsUnderStrictConfig) {
  std::string text = instance("A", "  foo_bar 1\n");
  EXPECT_THAT(warnings(load(text)),
              ElementsAre("t.conf:4:3: warning: unknown keyword 'foo_bar' in vrrp_instance; "
                          "ignored"));
  EXPECT_THAT(errors(load(text, true)),
              ElementsAre("t.conf:4:3: error: unknown keyword 'foo_bar' in vrrp_instance"));
}

TEST(VrrpValidateTest, OutOfScopeInstanceKeywordsOnlyWarn) {
  auto r = load(instance("A", "  track_bfd {\n    b\n  }\n  vrf blue\n"), /*strict=*/true);
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:4:3: warning: 'track_bfd' is not supported by vigil and is "
                          "ignored (vigil has no BFD)",
                          "t.conf:7:3: warning: 'vrf' is not supported by vigil and is ignored"));
}

}  // namespace
}  // namespace vigil::config
