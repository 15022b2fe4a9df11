#include "check/real_server_state.h"

#include <algorithm>
#include <utility>

namespace vigil::check {

RealServerState::RealServerState(uint32_t configuredWeight, std::vector<bool> checkersUp)
    : configuredWeight_(configuredWeight),
      checkersUp_(std::move(checkersUp)),
      dynamicWeights_(checkersUp_.size()) {}

bool RealServerState::up() const {
  return std::all_of(checkersUp_.begin(), checkersUp_.end(), [](bool up) { return up; });
}

uint32_t RealServerState::weight() const {
  int64_t weight = configuredWeight_;
  for (const std::optional<uint32_t>& dynamic : dynamicWeights_) {
    if (dynamic) {
      weight += static_cast<int64_t>(*dynamic) - static_cast<int64_t>(configuredWeight_);
    }
  }
  return static_cast<uint32_t>(std::clamp<int64_t>(weight, 0, kMaxRealServerWeight));
}

bool RealServerState::setChecker(size_t checker, bool up) {
  if (checkersUp_.at(checker) == up) {
    return false;
  }
  const bool wasUp = this->up();
  checkersUp_[checker] = up;
  return wasUp != this->up();
}

bool RealServerState::setDynamicWeight(size_t checker, std::optional<uint32_t> weight) {
  const uint32_t before = this->weight();
  dynamicWeights_.at(checker) = weight;
  return before != this->weight();
}

void RealServerState::adoptHealth(const RealServerState& other) {
  const size_t common = std::min(checkersUp_.size(), other.checkersUp_.size());
  for (size_t i = 0; i < common; ++i) {
    checkersUp_[i] = other.checkersUp_[i];
    dynamicWeights_[i] = other.dynamicWeights_[i];
  }
}

}  // namespace vigil::check
