#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "config/model_global.h"

// Shared shapes of the --dump-config JSON: durations in seconds, absent
// optional values as null.
namespace vigil::config::dump {

inline double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

inline nlohmann::json seconds(const std::optional<Duration>& d) {
  return d ? nlohmann::json(seconds(*d)) : nlohmann::json(nullptr);
}

template <class T>
nlohmann::json orNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

inline nlohmann::json script(const std::optional<ScriptCommand>& s) {
  if (!s) {
    return nullptr;
  }
  return {{"command", s->command}, {"user", s->user}, {"group", s->group}};
}

inline nlohmann::json account(const std::optional<ScriptAccount>& a) {
  if (!a) {
    return nullptr;
  }
  return {{"user", a->user}, {"group", a->group}};
}

}  // namespace vigil::config::dump
