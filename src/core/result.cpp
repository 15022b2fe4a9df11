#include "core/result.h"

#include <cstring>

namespace vigil {

std::string Error::describe() const {
  if (code == 0) {
    return message;
  }
  return message + ": " + std::strerror(code);
}

Error errnoError(std::string what) { return Error{errno, std::move(what)}; }

}  // namespace vigil
