#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

// The health of one real server, from what its checkers report. Pure: the
// check worker feeds it checker states and reads the result.
namespace vigil::check {

// The largest weight IPVS accepts (keepalived and the kernel: INT_MAX).
inline constexpr uint32_t kMaxRealServerWeight = 2147483647;

// keepalived's rules:
// - up when every checker is up; a server without checkers is always up;
// - effective weight = configured weight, plus for every misc_dynamic
//   checker that has reported a weight w the adjustment (w - configured),
//   clamped to [0, kMaxRealServerWeight]. With one dynamic checker the
//   weight is simply w (exit code - 2).
class RealServerState {
 public:
  // `checkersUp[i]`: checker i's initial state (down under alpha).
  RealServerState(uint32_t configuredWeight, std::vector<bool> checkersUp);

  bool up() const;
  uint32_t weight() const;
  uint32_t configuredWeight() const { return configuredWeight_; }

  // Returns whether up() changed.
  bool setChecker(size_t checker, bool up);
  // Returns whether weight() changed.
  // A misc_dynamic checker's weight; nullopt forgets it (exit code 0 keeps
  // the weight a dynamic checker last set, as keepalived does, so callers
  // only pass nullopt when the checker goes away).
  bool setDynamicWeight(size_t checker, std::optional<uint32_t> weight);

  size_t checkerCount() const { return checkersUp_.size(); }
  bool checkerUp(size_t checker) const { return checkersUp_.at(checker); }
  std::optional<uint32_t> dynamicWeight(size_t checker) const;

  // Takes the checker states and dynamic weights of `other` (a reload that
  // keeps this server): checkers are matched by index, extra ones keep
  // their initial state.
  void adoptHealth(const RealServerState& other);

 private:
  uint32_t configuredWeight_;
  std::vector<bool> checkersUp_;
  // Empty until a checker sets a weight (misc_dynamic, FILE_CHECK): one
  // allocation less per real server for the usual configuration (issue 4).
  std::vector<std::optional<uint32_t>> dynamicWeights_;
};

}  // namespace vigil::check
