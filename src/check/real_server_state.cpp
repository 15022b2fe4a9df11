#include "check/real_server_state.h"

#include <algorithm>
#include <utility>

namespace vigil::check {

RealServerState::RealServerState(uint32_t configuredWeight, std::vector<bool> checkersUp)
    : configuredWeight_(configuredWeight), checkersUp_(std::move(checkersUp)) {}

std::optional<uint32_t> RealServerState::dynamicWeight(size_t checker) const {
  (void)checkersUp_.at(checker);  // the index is checked even before any weight
  return dynamicWeights_.empty() ? std::nullopt : dynamicWeights_[checker];
}

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
  (void)checkersUp_.at(checker);
  if (dynamicWeights_.empty()) {
    if (!weight) {
      return false;
    }
    dynamicWeights_.resize(checkersUp_.size());
  }
  const uint32_t before = this->weight();
  dynamicWeights_[checker] = weight;
  return before != this->weight();
}

void RealServerState::adoptHealth(const RealServerState& other) {
  const size_t common = std::min(checkersUp_.size(), other.checkersUp_.size());
  for (size_t i = 0; i < common; ++i) {
    checkersUp_[i] = other.checkersUp_[i];
    (void)setDynamicWeight(i, other.dynamicWeight(i));
  }
}

}  // namespace vigil::check
