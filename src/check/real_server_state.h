#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
  RealServerState(uint32_t configuredWeight, const std::vector<bool>& checkersUp);
  RealServerState(const RealServerState& other);
  RealServerState& operator=(const RealServerState& other);
  RealServerState(RealServerState&&) noexcept = default;
  RealServerState& operator=(RealServerState&&) noexcept = default;
  ~RealServerState() = default;

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

  size_t checkerCount() const { return checkerCount_; }
  // Throws std::out_of_range for an index beyond checkerCount().
  bool checkerUp(size_t checker) const;
  std::optional<uint32_t> dynamicWeight(size_t checker) const;

  // Takes the checker states and dynamic weights of `other` (a reload that
  // keeps this server): checkers are matched by index, extra ones keep
  // their initial state.
  void adoptHealth(const RealServerState& other);

 private:
  static constexpr size_t kWordBits = 64;
  // The word holding checker `checker`'s bit (checked against the count).
  uint64_t& downWord(size_t checker);
  const uint64_t& downWord(size_t checker) const;
  size_t extraWords() const {
    return checkerCount_ <= kWordBits ? 0 : (checkerCount_ - 1) / kWordBits;
  }

  uint32_t configuredWeight_;
  uint32_t checkerCount_;
  // Bit i % 64 of word i / 64 is set while checker i is down. Word 0 is
  // here; a server with more than 64 checkers has the rest on the heap. A
  // check worker keeps 20,000 real servers (issue 4): a std::vector<bool>
  // was 40 bytes and a heap block each.
  uint64_t down_ = 0;
  std::unique_ptr<uint64_t[]> moreDown_;
  // Null until a checker sets a weight (misc_dynamic, FILE_CHECK): one
  // allocation less per real server for the usual configuration; then one
  // block of checkerCount_ weights (the count is known, so no vector).
  std::unique_ptr<std::optional<uint32_t>[]> dynamicWeights_;
};

}  // namespace vigil::check
