#include "ipvs/reconcile.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs {
namespace {

using test::dest;
using test::tcp;
using test::weighted;

std::vector<std::string> opTexts(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const Op& op : ops) {
    out.push_back(toString(op));
  }
  return out;
}

// Applies ops in order; every one must succeed.
IpvsState applied(IpvsState state, const std::vector<Op>& ops) {
  for (const Op& op : ops) {
    Status s = applyOp(state, op);
    EXPECT_TRUE(s.ok()) << toString(op) << ": " << s.error().describe();
  }
  return state;
}

// VIP 10.0.0.1:80 (wlc) with real servers .2 and .3 at weight 1.
IpvsState twoServers() {
  IpvsState s;
  s.services[tcp("10.0.0.1", 80)] = {
      test::scheduler("wlc"),
      {{dest("10.0.0.2", 80), weighted(1)}, {dest("10.0.0.3", 80), weighted(1)}}};
  return s;
}

TEST(ReconcileTest, EqualStatesNeedNothing) {
  EXPECT_TRUE(reconcile(IpvsState{}, IpvsState{}).empty());
  EXPECT_TRUE(reconcile(twoServers(), twoServers()).empty());
}

TEST(ReconcileTest, EmptyToTableAddsServiceBeforeItsDestinations) {
  EXPECT_EQ(opTexts(reconcile(twoServers(), IpvsState{})),
            (std::vector<std::string>{"add service TCP  10.0.0.1:80 wlc",
                                      "add dest TCP  10.0.0.1:80 -> 10.0.0.2:80 Masq 1",
                                      "add dest TCP  10.0.0.1:80 -> 10.0.0.3:80 Masq 1"}));
}

TEST(ReconcileTest, RemovedServiceIsOneDeleteThatTakesItsDestinations) {
  std::vector<Op> ops = reconcile(IpvsState{}, twoServers());
  EXPECT_EQ(opTexts(ops), (std::vector<std::string>{"delete service TCP  10.0.0.1:80"}));
  EXPECT_EQ(applied(twoServers(), ops), IpvsState{});
}

struct EditCase {
  const char* name;
  void (*change)(IpvsState&);
  std::vector<std::string> expected;
};

ServiceEntry& vip(IpvsState& s) { return s.services.at(tcp("10.0.0.1", 80)); }

const EditCase kEditCases[] = {
    {"scheduler",
     [](IpvsState& s) { vip(s).service.scheduler = "rr"; },
     {"edit service TCP  10.0.0.1:80 rr"}},
    {"persistence",
     [](IpvsState& s) {
       vip(s).service.persistenceTimeout = 300;
       vip(s).service.netmaskPrefix = 24;
     },
     {"edit service TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0"}},
    {"scheduler flags",
     [](IpvsState& s) { vip(s).service.schedulerFlags = kSchedFlag2; },
     {"edit service TCP  10.0.0.1:80 wlc (flag-2)"}},
    {"persistence engine",
     [](IpvsState& s) { vip(s).service.persistenceEngine = "sip"; },
     {"edit service TCP  10.0.0.1:80 wlc pe sip"}},
    {"weight",
     [](IpvsState& s) { vip(s).destinations.at(dest("10.0.0.2", 80)).weight = 0; },
     {"edit dest TCP  10.0.0.1:80 -> 10.0.0.2:80 Masq 0"}},
    {"forwarding",
     [](IpvsState& s) {
       vip(s).destinations.at(dest("10.0.0.3", 80)).forwarding = ForwardingMethod::DirectRouting;
     },
     {"edit dest TCP  10.0.0.1:80 -> 10.0.0.3:80 Route 1"}},
    {"tunnel",
     [](IpvsState& s) {
       Destination& d = vip(s).destinations.at(dest("10.0.0.3", 80));
       d.forwarding = ForwardingMethod::Tunnel;
       d.tunnelType = TunnelType::Gre;
       d.tunnelChecksum = TunnelChecksum::Checksum;
     },
     {"edit dest TCP  10.0.0.1:80 -> 10.0.0.3:80 Tunnel 1 gre csum"}},
    {"thresholds",
     [](IpvsState& s) { vip(s).destinations.at(dest("10.0.0.2", 80)).upperThreshold = 50; },
     {"edit dest TCP  10.0.0.1:80 -> 10.0.0.2:80 Masq 1 uthreshold 50"}},
    {"server removed",
     [](IpvsState& s) { vip(s).destinations.erase(dest("10.0.0.2", 80)); },
     {"delete dest TCP  10.0.0.1:80 -> 10.0.0.2:80"}},
    {"server replaced: add before delete",
     [](IpvsState& s) {
       vip(s).destinations.erase(dest("10.0.0.2", 80));
       vip(s).destinations[dest("10.0.0.4", 80)] = weighted(1);
     },
     {"add dest TCP  10.0.0.1:80 -> 10.0.0.4:80 Masq 1",
      "delete dest TCP  10.0.0.1:80 -> 10.0.0.2:80"}},
    {"port changed is another destination",
     [](IpvsState& s) {
       vip(s).destinations.erase(dest("10.0.0.3", 80));
       vip(s).destinations[dest("10.0.0.3", 8080)] = weighted(1);
     },
     {"add dest TCP  10.0.0.1:80 -> 10.0.0.3:8080 Masq 1",
      "delete dest TCP  10.0.0.1:80 -> 10.0.0.3:80"}},
    {"service port changed is another service",
     [](IpvsState& s) {
       auto node = s.services.extract(tcp("10.0.0.1", 80));
       node.key() = tcp("10.0.0.1", 8080);
       s.services.insert(std::move(node));
     },
     {"delete service TCP  10.0.0.1:80", "add service TCP  10.0.0.1:8080 wlc",
      "add dest TCP  10.0.0.1:8080 -> 10.0.0.2:80 Masq 1",
      "add dest TCP  10.0.0.1:8080 -> 10.0.0.3:80 Masq 1"}},
};

TEST(ReconcileTest, ChangesAreEditedInPlaceWithFewestOps) {
  for (const EditCase& c : kEditCases) {
    SCOPED_TRACE(c.name);
    IpvsState desired = twoServers();
    c.change(desired);
    std::vector<Op> ops = reconcile(desired, twoServers());
    EXPECT_EQ(opTexts(ops), c.expected);
    EXPECT_EQ(applied(twoServers(), ops), desired);
    EXPECT_TRUE(reconcile(desired, desired).empty());
  }
}

TEST(ApplyOpTest, FollowsTheKernelsExistenceRules) {
  IpvsState s = twoServers();
  EXPECT_EQ(applyOp(s, AddService{tcp("10.0.0.1", 80), {}}).error().code, EEXIST);
  EXPECT_EQ(applyOp(s, DeleteService{tcp("10.0.0.9", 80)}).error().code, ESRCH);
  EXPECT_EQ(applyOp(s, EditService{tcp("10.0.0.9", 80), {}}).error().code, ESRCH);
  EXPECT_EQ(applyOp(s, AddDestination{tcp("10.0.0.9", 80), dest("10.0.0.2", 80), {}}).error().code,
            ESRCH);
  EXPECT_EQ(applyOp(s, AddDestination{tcp("10.0.0.1", 80), dest("10.0.0.2", 80), {}}).error().code,
            EEXIST);
  EXPECT_EQ(applyOp(s, EditDestination{tcp("10.0.0.1", 80), dest("10.0.0.7", 80), {}}).error().code,
            ENOENT);
  EXPECT_EQ(applyOp(s, DeleteDestination{tcp("10.0.0.1", 80), dest("10.0.0.7", 80)}).error().code,
            ENOENT);
  EXPECT_EQ(s, twoServers());
}

// Random tables over a small universe of keys, so that desired and current
// share some services and destinations and differ in others.
class RandomTables {
 public:
  explicit RandomTables(uint32_t seed) : rng_(seed) {}

  IpvsState next() {
    static const ServiceKey kServices[] = {
        tcp("10.0.0.1", 80),
        tcp("10.0.0.1", 443),
        test::udp("10.0.0.2", 53),
        ServiceKey::forAddress(Protocol::Sctp, test::ip("10.0.0.3"), 0),
        tcp("2001:db8::1", 80),
        ServiceKey::forFwmark(AF_INET, 1),
        ServiceKey::forFwmark(AF_INET6, 1),
    };
    IpvsState s;
    for (const ServiceKey& key : kServices) {
      if (pick(2) == 0) {
        s.services[key] = entry();
      }
    }
    return s;
  }

 private:
  unsigned pick(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_); }

  ServiceEntry entry() {
    static const char* const kSchedulers[] = {"rr", "wlc", "sh"};
    static const DestinationKey kDestinations[] = {dest("10.0.1.1", 80), dest("10.0.1.2", 80),
                                                   dest("10.0.1.2", 8080), dest("2001:db8::9", 80),
                                                   dest("10.0.1.3", 0)};
    ServiceEntry e;
    e.service.scheduler = kSchedulers[pick(3)];
    e.service.persistenceTimeout = pick(2) * 300;
    e.service.schedulerFlags = static_cast<uint8_t>(pick(4));
    e.service.onePacket = pick(4) == 0;
    for (const DestinationKey& key : kDestinations) {
      if (pick(2) == 0) {
        Destination d = weighted(pick(3), static_cast<ForwardingMethod>(pick(3)));
        d.upperThreshold = pick(2) * 100;
        e.destinations[key] = d;
      }
    }
    return e;
  }

  std::mt19937 rng_;
};

// The fewest ops: one per new service and its destinations, one per removed
// service, one per changed service, one per added, removed or changed
// destination of a kept service.
size_t fewestOps(const IpvsState& desired, const IpvsState& current) {
  size_t n = 0;
  for (const auto& [key, want] : desired.services) {
    auto have = current.services.find(key);
    if (have == current.services.end()) {
      n += 1 + want.destinations.size();
      continue;
    }
    n += want.service == have->second.service ? 0 : 1;
    for (const auto& [dk, d] : want.destinations) {
      auto it = have->second.destinations.find(dk);
      n += (it == have->second.destinations.end() || !(it->second == d)) ? 1 : 0;
    }
    for (const auto& [dk, d] : have->second.destinations) {
      n += want.destinations.contains(dk) ? 0 : 1;
    }
  }
  for (const auto& [key, entry] : current.services) {
    n += desired.services.contains(key) ? 0 : 1;
  }
  return n;
}

TEST(ReconcilePropertyTest, ApplyingTheOpsReachesDesiredWithFewestOps) {
  RandomTables tables(20261121);
  for (int i = 0; i < 2000; ++i) {
    IpvsState desired = tables.next();
    IpvsState current = tables.next();
    std::vector<Op> ops = reconcile(desired, current);
    ASSERT_EQ(applied(current, ops), desired) << "case " << i;
    ASSERT_EQ(ops.size(), fewestOps(desired, current)) << "case " << i;
    ASSERT_TRUE(reconcile(desired, desired).empty()) << "case " << i;
    ASSERT_TRUE(reconcile(desired, applied(current, ops)).empty()) << "case " << i;
  }
}

TEST(ReconcilePropertyTest, NoDestinationOpTouchesAServiceBeingDeleted) {
  RandomTables tables(7);
  for (int i = 0; i < 500; ++i) {
    IpvsState desired = tables.next();
    IpvsState current = tables.next();
    std::vector<Op> ops = reconcile(desired, current);
    std::set<ServiceKey> deleted;
    for (const Op& op : ops) {
      if (std::holds_alternative<DeleteService>(op)) {
        deleted.insert(serviceOf(op));
      }
    }
    for (const Op& op : ops) {
      if (!std::holds_alternative<DeleteService>(op)) {
        ASSERT_FALSE(deleted.contains(serviceOf(op))) << toString(op);
      }
    }
  }
}

}  // namespace
}  // namespace vigil::ipvs
