#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "check/probe_registry.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"

// Shared probes: identical checkers under several virtual services run one
// Checker and every subscriber hears its changes.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

config::Checker tcpChecker(std::string_view address, uint16_t port) {
  config::Checker c;
  c.base.type = config::CheckerType::Tcp;
  c.base.delayLoop = milliseconds(1000);
  c.base.connectTimeout = milliseconds(300);
  c.base.delayBeforeRetry = milliseconds(100);
  c.target.address = *IpAddress::parse(address);
  c.target.port = port;
  c.probe = std::make_shared<const config::CheckerProbe>(config::TcpCheck{});
  return c;
}

config::Checker miscChecker(std::string command, std::string_view rsAddress) {
  config::Checker c = tcpChecker(rsAddress, 80);
  c.base.type = config::CheckerType::Misc;
  config::MiscCheck misc;
  misc.script.command = std::move(command);
  misc.timeout = milliseconds(1000);
  c.probe = std::make_shared<const config::CheckerProbe>(misc);
  return c;
}

// A subscription on the heap, so a test can drop it with reset().
std::unique_ptr<ProbeRegistry::Subscription> own(Result<ProbeRegistry::Subscription> sub) {
  EXPECT_TRUE(sub.ok());
  return sub ? std::make_unique<ProbeRegistry::Subscription>(std::move(*sub)) : nullptr;
}

struct Harness {
  Harness()
      : registry(loop, [this](const config::Checker& c) -> Result<std::unique_ptr<Checker>> {
          if (refuse) {
            return Error{ENOTSUP, "not supported yet"};
          }
          auto control = std::make_shared<fakes::FakeProbeControl>();
          controls.push_back(control);
          return std::make_unique<Checker>(loop, c.base, c.base.connectTimeout,
                                           std::make_unique<fakes::FakeProbe>(control),
                                           [](Duration) { return Duration::zero(); });
        }) {}

  std::unique_ptr<ProbeRegistry::Subscription> subscribe(const config::Checker& c,
                                                         std::vector<CheckerEvent>& events) {
    auto sub = registry.subscribe(c, [&events](const CheckerEvent& e) { events.push_back(e); });
    EXPECT_TRUE(sub.ok());
    return sub ? std::make_unique<ProbeRegistry::Subscription>(std::move(*sub)) : nullptr;
  }

  SimulatedLoop loop;
  std::vector<std::shared_ptr<fakes::FakeProbeControl>> controls;
  bool refuse = false;
  ProbeRegistry registry;
};

TEST(CheckerDedupeTest, IdenticalCheckersShareOneProbeAndBothHearItsChanges) {
  Harness h;
  std::vector<CheckerEvent> first, second;
  auto a = h.subscribe(tcpChecker("10.0.0.2", 80), first);
  auto b = h.subscribe(tcpChecker("10.0.0.2", 80), second);
  EXPECT_EQ(h.registry.checkerCount(), 1U);
  ASSERT_EQ(h.controls.size(), 1U);
  EXPECT_EQ(h.registry.subscriberCount(tcpChecker("10.0.0.2", 80)), 2U);

  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Refused));
  ASSERT_EQ(first.size(), 1U);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(first[0].kind, CheckerEvent::Kind::Down);
  EXPECT_EQ(second[0].cause.outcome, Outcome::Refused);
  EXPECT_FALSE(a->up());
  EXPECT_FALSE(b->up());
  EXPECT_EQ(h.controls[0]->starts, 1);  // one probe served both
}

TEST(CheckerDedupeTest, DifferentTargetsBindOptionsOrTimingAreNotShared) {
  Harness h;
  std::vector<CheckerEvent> events;
  config::Checker base = tcpChecker("10.0.0.2", 80);
  config::Checker otherPort = tcpChecker("10.0.0.2", 81);
  config::Checker otherBind = base;
  otherBind.target.setBinding(config::ProbeBinding{.address = *IpAddress::parse("10.0.0.1")});
  config::Checker otherMark = base;
  otherMark.target.setBinding(config::ProbeBinding{.fwmark = 7});
  config::Checker otherRetry = base;
  otherRetry.base.retry = 2;
  config::Checker otherType = base;
  otherType.base.type = config::CheckerType::Http;
  config::HttpCheck http;
  http.urls.push_back(config::HttpUrl{});
  otherType.probe = std::make_shared<const config::CheckerProbe>(http);
  std::vector<std::unique_ptr<ProbeRegistry::Subscription>> subs;
  for (const auto* c : {&base, &otherPort, &otherBind, &otherMark, &otherRetry, &otherType}) {
    subs.push_back(h.subscribe(*c, events));
  }
  EXPECT_EQ(h.registry.checkerCount(), 6U);
}

TEST(CheckerDedupeTest, MiscChecksShareByCommandLineWhateverTheRealServer) {
  Harness h;
  std::vector<CheckerEvent> events;
  auto a = h.subscribe(miscChecker("/bin/check-db", "10.0.0.2"), events);
  auto b = h.subscribe(miscChecker("/bin/check-db", "10.0.0.3"), events);
  auto c = h.subscribe(miscChecker("/bin/check-db --fast", "10.0.0.2"), events);
  EXPECT_EQ(h.registry.checkerCount(), 2U);
}

TEST(CheckerDedupeTest, HttpChecksDifferingOnlyInUrlAreNotShared) {
  auto withPath = [](std::string path) {
    config::Checker c = tcpChecker("10.0.0.2", 80);
    c.base.type = config::CheckerType::Http;
    config::HttpCheck http;
    config::HttpUrl url;
    url.path = std::move(path);
    url.statusCodes.push_back({200, 299});
    http.urls.push_back(url);
    c.probe = std::make_shared<const config::CheckerProbe>(http);
    return c;
  };
  EXPECT_EQ(probeKey(withPath("/")), probeKey(withPath("/")));
  EXPECT_NE(probeKey(withPath("/")), probeKey(withPath("/health")));
}

// Each call builds a new probe object, as a reload does: equal parameters
// must give equal keys (the reload keeps the checker and its schedule),
// different ones different keys.
config::Checker withProbe(config::CheckerType type, config::CheckerProbe probe) {
  config::Checker c = tcpChecker("10.0.0.2", 53);
  c.base.type = type;
  c.probe = std::make_shared<const config::CheckerProbe>(std::move(probe));
  return c;
}

TEST(CheckerDedupeTest, SmtpDnsAndUdpChecksAreKeyedByTheirParameters) {
  auto smtp = [](std::string helo) {
    config::SmtpCheck s;
    s.hosts.push_back(tcpChecker("10.0.0.2", 25).target);
    s.heloName = std::move(helo);
    return withProbe(config::CheckerType::Smtp, s);
  };
  EXPECT_EQ(probeKey(smtp("a.example")), probeKey(smtp("a.example")));
  EXPECT_NE(probeKey(smtp("a.example")), probeKey(smtp("b.example")));

  auto dns = [](config::DnsType type, std::string name) {
    return withProbe(config::CheckerType::Dns, config::DnsCheck{type, std::move(name)});
  };
  EXPECT_EQ(probeKey(dns(config::DnsType::A, "example.org")),
            probeKey(dns(config::DnsType::A, "example.org")));
  EXPECT_NE(probeKey(dns(config::DnsType::A, "example.org")),
            probeKey(dns(config::DnsType::Aaaa, "example.org")));
  EXPECT_NE(probeKey(dns(config::DnsType::A, "example.org")),
            probeKey(dns(config::DnsType::A, "example.net")));

  auto udp = [](std::vector<uint8_t> payload, uint8_t mask) {
    config::UdpCheck u;
    u.payload = std::move(payload);
    u.requireReply = true;
    u.reply = {config::MaskedByte{0x01, mask}};
    return withProbe(config::CheckerType::Udp, u);
  };
  EXPECT_EQ(probeKey(udp({1, 2}, 0xff)), probeKey(udp({1, 2}, 0xff)));
  EXPECT_NE(probeKey(udp({1, 2}, 0xff)), probeKey(udp({1, 3}, 0xff)));
  EXPECT_NE(probeKey(udp({1, 2}, 0xff)), probeKey(udp({1, 2}, 0xf0)));
}

TEST(CheckerDedupeTest, FileChecksAreNeverShared) {
  config::FileCheck file;
  file.trackFile = "weights";
  EXPECT_NE(probeKey(withProbe(config::CheckerType::File, file)),
            probeKey(withProbe(config::CheckerType::File, file)));
}

TEST(CheckerDedupeTest, LastUnsubscribeStopsTheSharedChecker) {
  Harness h;
  std::vector<CheckerEvent> events;
  auto a = h.subscribe(tcpChecker("10.0.0.2", 80), events);
  auto b = h.subscribe(tcpChecker("10.0.0.2", 80), events);
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->inFlight());
  a.reset();  // a reload dropped one service: the probe keeps going
  EXPECT_EQ(h.registry.checkerCount(), 1U);
  EXPECT_TRUE(h.controls[0]->inFlight());
  b.reset();
  EXPECT_EQ(h.registry.checkerCount(), 0U);
  EXPECT_EQ(h.controls[0]->aborts, 1);
  EXPECT_EQ(h.loop.armedTimers(), 0U);
  h.loop.advance(std::chrono::seconds(10));
  EXPECT_EQ(h.controls[0]->starts, 1);
  EXPECT_TRUE(events.empty());
}

TEST(CheckerDedupeTest, SubscribersMayLeaveFromInsideTheirListener) {
  Harness h;
  std::unique_ptr<ProbeRegistry::Subscription> a, b;
  int heardA = 0, heardB = 0;
  config::Checker c = tcpChecker("10.0.0.2", 80);
  a = own(h.registry.subscribe(c, [&](const CheckerEvent&) {
    ++heardA;
    a.reset();
    b.reset();  // the last one: the checker is released later
  }));
  b = own(h.registry.subscribe(c, [&](const CheckerEvent&) { ++heardB; }));
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Refused));
  EXPECT_EQ(heardA, 1);
  EXPECT_EQ(heardB, 0);  // unsubscribed before its turn
  EXPECT_EQ(h.registry.checkerCount(), 0U);
  h.loop.runPosted();
  EXPECT_EQ(h.loop.armedTimers(), 0U);
}

TEST(CheckerDedupeTest, ALaterSubscriberReadsTheCurrentState) {
  Harness h;
  std::vector<CheckerEvent> events;
  auto a = h.subscribe(tcpChecker("10.0.0.2", 80), events);
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Timeout));
  auto b = h.subscribe(tcpChecker("10.0.0.2", 80), events);
  EXPECT_FALSE(b->up());
  EXPECT_EQ(&a->checker(), &b->checker());
}

TEST(CheckerDedupeTest, FactoryErrorsReachTheSubscriber) {
  Harness h;
  h.refuse = true;
  auto sub = h.registry.subscribe(tcpChecker("10.0.0.2", 80), [](const CheckerEvent&) {});
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ENOTSUP);
  EXPECT_EQ(h.registry.checkerCount(), 0U);
}

// The registry keeps the configuration a shared Checker was built from, not
// its key (issue 4): the key must not depend on the caller's copy, which a
// reload drops, and a checker from a later load must still find the entry.
TEST(CheckerDedupeTest, TheKeyOutlivesTheConfigurationItCameFrom) {
  Harness h;
  std::vector<CheckerEvent> events;
  std::unique_ptr<ProbeRegistry::Subscription> a;
  {
    const config::Checker first = tcpChecker("10.0.0.2", 80);
    a = h.subscribe(first, events);
  }  // the first load's checker is gone
  const config::Checker second = tcpChecker("10.0.0.2", 80);
  EXPECT_EQ(a->key(), probeKey(second));
  auto b = h.subscribe(second, events);
  EXPECT_EQ(h.registry.checkerCount(), 1U);
  EXPECT_EQ(&a->checker(), &b->checker());
  auto other = h.subscribe(tcpChecker("10.0.0.3", 80), events);
  EXPECT_EQ(h.registry.checkerCount(), 2U);
  EXPECT_NE(other->key(), a->key());
}

// A caller's configuration is held, not copied (issue 4): the entry keeps
// it alive while it runs from it, and a rebind to an equal one from a later
// load lets the earlier go. The alpha given is the key's.
TEST(CheckerDedupeTest, TheRegistryHoldsTheCallersConfigurationUntilRebound) {
  Harness h;
  std::vector<CheckerEvent> events;
  auto first = std::make_shared<const config::Checker>(tcpChecker("10.0.0.2", 80));
  std::weak_ptr<const config::Checker> held = first;
  auto a = own(h.registry.subscribe(std::move(first), true, [](const CheckerEvent&) {}));
  EXPECT_FALSE(held.expired());
  EXPECT_FALSE(a->up());  // started down: alpha as given
  config::Checker down = tcpChecker("10.0.0.2", 80);
  down.base.alpha = true;
  EXPECT_EQ(a->key(), probeKey(down));
  EXPECT_EQ(h.registry.subscriberCount(down), 1U);
  EXPECT_EQ(h.registry.subscriberCount(tcpChecker("10.0.0.2", 80)), 0U);

  a->rebind(std::make_shared<const config::Checker>(tcpChecker("10.0.0.2", 80)));
  EXPECT_TRUE(held.expired());
  EXPECT_EQ(a->key(), probeKey(down));
  auto b = h.subscribe(down, events);
  EXPECT_EQ(&a->checker(), &b->checker());
}

// The first subscriber is kept apart from the others (issue 4): when it
// leaves, the next takes its place, in order, and a listener replaced
// afterwards is the one that hears.
TEST(CheckerDedupeTest, TheFirstSubscriberLeavingKeepsTheOthersInOrder) {
  Harness h;
  std::vector<int> heard;
  const config::Checker c = tcpChecker("10.0.0.2", 80);
  auto hear = [&heard](int who) {
    return [&heard, who](const CheckerEvent&) { heard.push_back(who); };
  };
  auto a = own(h.registry.subscribe(c, hear(1)));
  auto b = own(h.registry.subscribe(c, hear(2)));
  auto d = own(h.registry.subscribe(c, hear(3)));
  a.reset();
  EXPECT_EQ(h.registry.subscriberCount(c), 2U);
  d->setListener(hear(4));
  auto e = own(h.registry.subscribe(c, hear(5)));
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Refused));
  EXPECT_EQ(heard, (std::vector<int>{2, 4, 5}));
  b.reset();
  d.reset();
  EXPECT_EQ(h.registry.subscriberCount(c), 1U);
  EXPECT_TRUE(e->checker().running());
}

// A subscription is held by value (issue 4): moving it moves the hold, the
// moved-from one holds nothing, and assigning over one unsubscribes it.
TEST(CheckerDedupeTest, AMovedSubscriptionKeepsTheHoldAndAnAssignedOneLetsGo) {
  Harness h;
  const config::Checker c = tcpChecker("10.0.0.2", 80);
  int heard = 0;
  auto sub = h.registry.subscribe(c, [&heard](const CheckerEvent&) { ++heard; });
  ASSERT_TRUE(sub.ok());
  ProbeRegistry::Subscription a = std::move(*sub);
  EXPECT_TRUE(static_cast<bool>(a));
  EXPECT_FALSE(static_cast<bool>(*sub));
  std::vector<ProbeRegistry::Subscription> held;
  held.push_back(std::move(a));
  held.reserve(16);  // moves it again
  EXPECT_EQ(h.registry.subscriberCount(c), 1U);
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Refused));
  EXPECT_EQ(heard, 1);
  EXPECT_FALSE(held[0].up());
  held[0] = ProbeRegistry::Subscription();
  EXPECT_EQ(h.registry.subscriberCount(c), 0U);
  EXPECT_EQ(h.registry.checkerCount(), 0U);
}

// A Checker the registry runs is named (for its log lines) after the
// configuration the registry holds for it, not a copy of the name (issue 4):
// the name stays right when a rebind lets the configuration it was built
// from go.
TEST(CheckerDedupeTest, ARunCheckerIsNamedAfterTheConfigurationItRunsFrom) {
  Harness h;
  auto first = std::make_shared<const config::Checker>(tcpChecker("10.0.0.2", 80));
  std::weak_ptr<const config::Checker> held = first;
  auto a = own(h.registry.subscribe(std::move(first), false, [](const CheckerEvent&) {}));
  EXPECT_EQ(a->checker().name(), "TCP_CHECK [10.0.0.2]:80");
  a->rebind(std::make_shared<const config::Checker>(tcpChecker("10.0.0.2", 80)));
  ASSERT_TRUE(held.expired());
  EXPECT_EQ(a->checker().name(), "TCP_CHECK [10.0.0.2]:80");
}

// Subscribers are kept in vectors: one leaving from the middle neither
// silences the others nor changes their order, and suspension follows ids.
TEST(CheckerDedupeTest, SubscribersLeaveAndSuspendInAnyOrder) {
  Harness h;
  std::vector<int> heard;
  const config::Checker c = tcpChecker("10.0.0.2", 80);
  auto listen = [&](int who) {
    return own(
        h.registry.subscribe(c, [&heard, who](const CheckerEvent&) { heard.push_back(who); }));
  };
  auto a = listen(1);
  auto b = listen(2);
  auto d = listen(3);
  b.reset();
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.controls[0]->finish(Outcome::Refused));
  EXPECT_EQ(heard, (std::vector<int>{1, 3}));
  EXPECT_EQ(h.registry.subscriberCount(c), 2U);

  a->setSuspended(true);
  EXPECT_TRUE(a->suspended());
  EXPECT_FALSE(d->suspended());
  EXPECT_TRUE(a->checker().running());  // d still needs it
  d->setSuspended(true);
  EXPECT_FALSE(a->checker().running());
  a.reset();  // a suspended subscriber leaves: d alone, still suspended
  EXPECT_TRUE(d->suspended());
  EXPECT_FALSE(d->checker().running());
  d->setSuspended(false);
  EXPECT_TRUE(d->checker().running());
}

}  // namespace
}  // namespace vigil::check
