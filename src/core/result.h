#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace vigil {

// An operating-system or protocol failure: the errno it carried (0 when
// there is none) and a message saying what was being attempted.
struct Error {
  int code = 0;
  std::string message;

  // "message: strerror(code)" or just the message when code is 0.
  std::string describe() const;
};

// Builds an Error from the current errno; call it right after the failing
// system call.
Error errnoError(std::string what);

// A value or an Error. OS calls and anything that can fail on input return
// one; callers must look at it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace vigil
