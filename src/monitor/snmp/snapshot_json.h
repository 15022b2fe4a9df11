#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>

// Tolerant readers of the workers' JSON snapshots for the MIB builders: a
// missing or mistyped field is absent, never an exception.
namespace vigil::monitor::snmp::snapshot {

using nlohmann::json;

inline json parse(const std::string& text) {
  if (text.empty()) return json();
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The members of `snapshot[key]` (an array of objects) by their "name".
inline std::map<std::string, const json*> byName(const json& snapshot, const char* key) {
  std::map<std::string, const json*> out;
  if (!snapshot.is_object() || !snapshot.contains(key) || !snapshot[key].is_array()) return out;
  for (const json& item : snapshot[key]) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      out[item["name"].get<std::string>()] = &item;
    }
  }
  return out;
}

template <class T>
std::optional<T> field(const json* object, const char* key) {
  if (object == nullptr || !object->is_object() || !object->contains(key)) return std::nullopt;
  const json& value = (*object)[key];
  if constexpr (std::is_same_v<T, std::string>) {
    if (value.is_string()) return value.get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (value.is_boolean()) return value.get<bool>();
  } else {
    if (value.is_number()) return value.get<T>();
  }
  return std::nullopt;
}

}  // namespace vigil::monitor::snmp::snapshot
