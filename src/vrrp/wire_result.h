#pragma once

#include <utility>
#include <variant>

#include "vrrp/reject_reason.h"

namespace vigil::vrrp {

// A decoded value or the typed reason the bytes were rejected. Unlike
// Result<T> it carries no message: rejects are counted per reason and the
// caller decides what (rate-limited) log line they deserve.
template <class T>
class [[nodiscard]] WireResult {
 public:
  WireResult(T value) : state_(std::move(value)) {}
  WireResult(RejectReason reason) : state_(reason) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Only meaningful when !ok().
  RejectReason reject() const { return std::get<1>(state_); }

 private:
  std::variant<T, RejectReason> state_;
};

}  // namespace vigil::vrrp
