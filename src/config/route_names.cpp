#include "config/route_names.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/parse_util.h"

namespace vigil::config {
namespace {

std::string_view firstWord(std::string_view& rest) {
  const size_t start = rest.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const size_t end = std::min(rest.find_first_of(" \t\r"), rest.size());
  std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end);
  return word;
}

std::vector<std::string> confFiles(const std::string& directory, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& name : names) {
    // iproute2 skips hidden files and wants more than ".conf".
    if (name.size() > 5 && name.ends_with(".conf") && !name.starts_with('.')) {
      out.push_back(directory + name);
    }
  }
  return out;
}

std::vector<std::string> directoryNames(const std::string& path) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

RouteNameTable readTable(const RouteNameDirs& dirs, const std::string& base) {
  std::error_code error;
  const bool etc = std::filesystem::exists(dirs.etc + "/" + base, error);
  RouteNameTable table;
  for (const std::string& path :
       routeNameFiles(base, etc, directoryNames(dirs.usr + "/" + base + ".d"),
                      directoryNames(dirs.etc + "/" + base + ".d"), dirs)) {
    std::ifstream in(path);
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    table.addFile(text.str(), path);
    table.searched += (table.searched.empty() ? "" : ", ") + path;
  }
  if (table.searched.empty()) table.searched = dirs.etc + "/" + base + " (missing)";
  return table;
}

}  // namespace

void RouteNameTable::addFile(std::string_view text, std::string_view path) {
  for (size_t line = 1; !text.empty(); ++line) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view rest = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::string_view id = firstWord(rest);
    if (id.empty() || id.starts_with('#')) continue;
    const std::string_view name = firstWord(rest);
    const std::optional<uint32_t> number = parse::decimalOrHex(id);
    if (!number || name.empty()) {  // iproute2: "Database PATH is corrupted at LINE"
      corrupt_.push_back(std::string(path) + ":" + std::to_string(line));
      return;
    }
    ids_.emplace(std::string(name), *number);
  }
}

std::optional<uint32_t> RouteNameTable::find(std::string_view name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::string RouteNameTable::where() const {
  std::string out = searched;
  for (const std::string& line : corrupt_) {
    out += "; " + line + " is not 'ID NAME', so no name after it is read";
  }
  return out;
}

std::optional<uint32_t> RouteNames::tableId(std::string_view name) const {
  if (name.empty() || name == "main") return RT_TABLE_MAIN;
  if (name == "local") return RT_TABLE_LOCAL;
  if (name == "default") return RT_TABLE_DEFAULT;
  if (auto id = parse::decimalOrHex(name)) return id;
  return tables.find(name);
}

std::optional<uint32_t> RouteNames::realmId(std::string_view name) const {
  auto id = parse::decimalOrHex(name);
  if (!id) id = realms.find(name);
  if (!id || *id > 0xffff) return std::nullopt;
  return id;
}

std::vector<std::string> routeNameFiles(std::string_view base, bool etcFileExists,
                                        std::vector<std::string> usrDir,
                                        std::vector<std::string> etcDir,
                                        const RouteNameDirs& dirs) {
  const std::string name(base);
  std::vector<std::string> out = {(etcFileExists ? dirs.etc : dirs.usr) + "/" + name};
  for (std::string& path : confFiles(dirs.usr + "/" + name + ".d/", std::move(usrDir))) {
    out.push_back(std::move(path));
  }
  for (std::string& path : confFiles(dirs.etc + "/" + name + ".d/", std::move(etcDir))) {
    out.push_back(std::move(path));
  }
  return out;
}

RouteNames readRouteNames(const RouteNameDirs& dirs) {
  return {readTable(dirs, "rt_tables"), readTable(dirs, "rt_realms")};
}

RouteNames systemRouteNames() { return readRouteNames({}); }

}  // namespace vigil::config
