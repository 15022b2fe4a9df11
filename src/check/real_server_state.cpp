#include "check/real_server_state.h"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <utility>

namespace vigil::check {

RealServerState::RealServerState(uint32_t configuredWeight, const std::vector<bool>& checkersUp)
    : configuredWeight_(configuredWeight), checkerCount_(static_cast<uint32_t>(checkersUp.size())) {
  if (extraWords() != 0) moreDown_ = std::make_unique<uint64_t[]>(extraWords());
  for (size_t i = 0; i < checkersUp.size(); ++i) {
    if (!checkersUp[i]) downWord(i) |= uint64_t{1} << (i % kWordBits);
  }
}

RealServerState::RealServerState(const RealServerState& other)
    : configuredWeight_(other.configuredWeight_),
      checkerCount_(other.checkerCount_),
      down_(other.down_) {
  if (other.moreDown_) {
    moreDown_ = std::make_unique<uint64_t[]>(extraWords());
    std::copy_n(other.moreDown_.get(), extraWords(), moreDown_.get());
  }
  if (other.dynamicWeights_) {
    dynamicWeights_ = std::make_unique<std::optional<uint32_t>[]>(checkerCount_);
    std::copy_n(other.dynamicWeights_.get(), checkerCount_, dynamicWeights_.get());
  }
}

RealServerState& RealServerState::operator=(const RealServerState& other) {
  if (this != &other) *this = RealServerState(other);
  return *this;
}

uint64_t& RealServerState::downWord(size_t checker) {
  return const_cast<uint64_t&>(std::as_const(*this).downWord(checker));
}

const uint64_t& RealServerState::downWord(size_t checker) const {
  if (checker >= checkerCount_) throw std::out_of_range("RealServerState: no such checker");
  return checker < kWordBits ? down_ : moreDown_[checker / kWordBits - 1];
}

bool RealServerState::checkerUp(size_t checker) const {
  return (downWord(checker) >> (checker % kWordBits) & 1U) == 0;
}

std::optional<uint32_t> RealServerState::dynamicWeight(size_t checker) const {
  (void)downWord(checker);  // the index is checked even before any weight
  return dynamicWeights_ ? dynamicWeights_[checker] : std::nullopt;
}

bool RealServerState::up() const {
  return down_ == 0 && std::all_of(moreDown_.get(), moreDown_.get() + extraWords(),
                                   [](uint64_t word) { return word == 0; });
}

uint32_t RealServerState::weight() const {
  int64_t weight = configuredWeight_;
  if (dynamicWeights_) {
    for (const std::optional<uint32_t>& dynamic : std::span(dynamicWeights_.get(), checkerCount_)) {
      if (dynamic) {
        weight += static_cast<int64_t>(*dynamic) - static_cast<int64_t>(configuredWeight_);
      }
    }
  }
  return static_cast<uint32_t>(std::clamp<int64_t>(weight, 0, kMaxRealServerWeight));
}

bool RealServerState::setChecker(size_t checker, bool up) {
  if (checkerUp(checker) == up) {
    return false;
  }
  const bool wasUp = this->up();
  downWord(checker) ^= uint64_t{1} << (checker % kWordBits);
  return wasUp != this->up();
}

bool RealServerState::setDynamicWeight(size_t checker, std::optional<uint32_t> weight) {
  (void)downWord(checker);
  if (!dynamicWeights_) {
    if (!weight) {
      return false;
    }
    dynamicWeights_ = std::make_unique<std::optional<uint32_t>[]>(checkerCount_);
  }
  const uint32_t before = this->weight();
  dynamicWeights_[checker] = weight;
  return before != this->weight();
}

void RealServerState::adoptHealth(const RealServerState& other) {
  const size_t common = std::min(checkerCount(), other.checkerCount());
  for (size_t i = 0; i < common; ++i) {
    (void)setChecker(i, other.checkerUp(i));
    (void)setDynamicWeight(i, other.dynamicWeight(i));
  }
}

}  // namespace vigil::check
