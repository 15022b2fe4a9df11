#include <gtest/gtest.h>

#include "support/vrrp_params.h"
#include "vrrp/state_machine.h"

// step() with an action list to reuse: what the runtime does on every
// advert so that a step allocates nothing.
namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const TimePoint kT0{std::chrono::hours(1)};

using test::params;

TEST(StateMachineStorageTest, StepFillsTheGivenListInPlaceOfItsOldActions) {
  const InstanceParams p = params();
  InstanceState backup = initialState(p);
  backup.state = State::Backup;
  VrrpPacket packet;
  packet.vrid = 51;
  packet.priority = 200;
  packet.addresses = {ip("10.0.0.100")};

  std::vector<Action> spare;
  spare.reserve(8);
  spare.push_back(Notify{NotifyKind::Fault});  // a previous step's, to be dropped
  const Action* storage = spare.data();
  StepResult reused =
      step(backup, AdvertReceived{packet, ip("10.0.0.9")}, p, kT0, std::move(spare));
  StepResult fresh = step(backup, AdvertReceived{packet, ip("10.0.0.9")}, p, kT0);

  EXPECT_EQ(reused.actions.data(), storage);
  EXPECT_EQ(reused.actions, fresh.actions);
  EXPECT_EQ(reused.next, fresh.next);
  ASSERT_EQ(reused.actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ArmMasterDownTimer>(reused.actions[0]));
}

}  // namespace
}  // namespace vigil::vrrp
