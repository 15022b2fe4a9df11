#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_params.h"

// A step whose action re-enters InstanceRuntime::handle (a notifier that
// reacts to Master by raising a fault, as a notify hook wired back into
// tracking could): since 4497a9d the runtime lends the previous step's
// action list to the next step, so the re-entered step must find it taken
// and use its own, and neither step may lose, repeat or reorder an action.
namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Every effect in the order the runtime asked for it.
using EffectLog = std::vector<std::string>;

class LoggingSender final : public AdvertSender {
 public:
  explicit LoggingSender(EffectLog& log) : log_(log) {}
  void prepare(const VrrpPacket& packet) override { priority_ = packet.priority; }
  Status send() override {
    log_.push_back("advert " + std::to_string(priority_));
    return {};
  }

 private:
  EffectLog& log_;
  uint8_t priority_ = 0;
};

class LoggingVips final : public VipInstaller {
 public:
  explicit LoggingVips(EffectLog& log) : log_(log) {}
  void add(const std::vector<config::VirtualAddress>&, const std::string&,
           std::optional<Duration>) override {
    log_.push_back("add vips");
  }
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {
    log_.push_back("remove vips");
  }

 private:
  EffectLog& log_;
};

// Logs each notification, then runs `onMaster` (once) when told Master.
class ReenteringNotifier final : public TransitionNotifier {
 public:
  explicit ReenteringNotifier(EffectLog& log) : log_(log) {}
  void notify(const config::VrrpInstance&, NotifyKind kind, uint8_t) override {
    log_.push_back("notify " + std::to_string(static_cast<int>(kind)));
    if (kind == NotifyKind::Master && onMaster) std::exchange(onMaster, nullptr)();
  }
  std::function<void()> onMaster;

 private:
  EffectLog& log_;
};

std::string notified(NotifyKind kind) { return "notify " + std::to_string(static_cast<int>(kind)); }

// Master_Down_Interval for v3, priority 100, 1 s: 3 s + (156 * 1 s) / 256.
constexpr Duration kMasterDown = seconds(3) + std::chrono::microseconds(609375);

TEST(InstanceRuntimeReentry, AStepReenteredFromAnActionRunsBothStepsActionsInOrder) {
  SimulatedLoop loop;
  EffectLog log;
  LoggingSender sender(log);
  LoggingVips vips(log);
  fakes::NullAnnouncer gratuitous;
  ReenteringNotifier notifier(log);
  fakes::NullAcceptFilter accept;
  const config::VrrpInstance config = test::instanceConfig();
  InstanceRuntime runtime(loop, config, paramsFor(config, test::ip("10.0.0.1"), {}),
                          RuntimeIo{sender, vips, gratuitous, notifier, &accept}, seconds(2));
  notifier.onMaster = [&] { runtime.track({FaultRaised{}}); };

  runtime.start();  // Initialize -> Backup, clearing any VIPs left behind
  ASSERT_EQ(log, (EffectLog{"remove vips", notified(NotifyKind::Backup)}));
  log.clear();
  loop.advance(kMasterDown);

  // Backup -> Master (whose last action, the notification, re-enters),
  // then Master -> Fault inside it: each step's actions whole and in order.
  EXPECT_EQ(log, (EffectLog{"add vips", "advert 100", notified(NotifyKind::Master), "advert 0",
                            "remove vips", notified(NotifyKind::Fault)}));
  EXPECT_EQ(runtime.state().state, State::Fault);

  // The next ordinary step after the re-entry works as usual.
  log.clear();
  runtime.track({FaultCleared{}});
  EXPECT_EQ(runtime.state().state, State::Backup);
  EXPECT_EQ(log, EffectLog{notified(NotifyKind::Backup)});
  loop.advance(kMasterDown + milliseconds(1));
  EXPECT_EQ(runtime.state().state, State::Master);
  EXPECT_EQ(log.back(), notified(NotifyKind::Master));
}

}  // namespace
}  // namespace vigil::vrrp
