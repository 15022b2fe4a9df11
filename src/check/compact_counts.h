#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace vigil::check {

// N exact 64-bit counts at 4 bytes each until one passes 2^32 - 1: the high
// halves are allocated the first time any of them carries. A checker keeps
// about thirty counts (outcomes, transitions, duration buckets) and a check
// worker 20,000 checkers (issue 4), yet at one attempt a second a count
// carries only after 136 years, so the high halves almost never exist.
template <size_t N>
class CompactCounts {
 public:
  CompactCounts() = default;
  CompactCounts(const CompactCounts& other)
      : low_(other.low_),
        high_(other.high_ ? std::make_unique<std::array<uint32_t, N>>(*other.high_) : nullptr) {}
  CompactCounts& operator=(const CompactCounts& other) {
    if (this != &other) *this = CompactCounts(other);
    return *this;
  }
  CompactCounts(CompactCounts&&) noexcept = default;
  CompactCounts& operator=(CompactCounts&&) noexcept = default;

  static constexpr size_t size() { return N; }

  uint64_t operator[](size_t i) const {
    const uint64_t high = high_ ? (*high_)[i] : 0;
    return high << 32 | low_[i];
  }
  void increment(size_t i) {
    if (++low_[i] == 0) carry(i, 1);
  }
  void add(size_t i, uint64_t n) {
    const uint64_t sum = uint64_t{low_[i]} + static_cast<uint32_t>(n);
    low_[i] = static_cast<uint32_t>(sum);
    const uint64_t carried = (n >> 32) + (sum >> 32);
    if (carried != 0) carry(i, carried);
  }

 private:
  void carry(size_t i, uint64_t n) {
    if (!high_) high_ = std::make_unique<std::array<uint32_t, N>>();
    (*high_)[i] += static_cast<uint32_t>(n);
  }

  std::array<uint32_t, N> low_{};
  std::unique_ptr<std::array<uint32_t, N>> high_;
};

}  // namespace vigil::check
