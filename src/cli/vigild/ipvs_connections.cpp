#include "cli/vigild/ipvs_connections.h"

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace vigil::cli {
namespace {

template <typename T>
std::optional<T> hexNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "0A000001" (IPv4) or "2001:0db8:0000:...:0001" (IPv6).
std::optional<IpAddress> address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return IpAddress::parse(text);
  if (text.size() != 8) return std::nullopt;
  auto value = hexNumber<uint32_t>(text);
  if (!value) return std::nullopt;
  return IpAddress::v4(*value);
}

std::optional<IpvsConnection> parseRow(const std::string& row) {
  std::istringstream fields(row);
  std::string proto, from, fromPort, to, toPort, dest, destPort, state, expires;
  if (!(fields >> proto >> from >> fromPort >> to >> toPort >> dest >> destPort >> state >>
        expires)) {
    return std::nullopt;
  }
  IpvsConnection c;
  c.protocol = proto;
  c.state = state;
  auto source = address(from);
  auto virt = address(to);
  auto real = address(dest);
  auto sp = hexNumber<uint16_t>(fromPort);
  auto vp = hexNumber<uint16_t>(toPort);
  auto dp = hexNumber<uint16_t>(destPort);
  uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
  if (!source || !virt || !real || !sp || !vp || !dp || ec != std::errc() ||
      end != expires.data() + expires.size()) {
    return std::nullopt;
  }
  c.source = *source;
  c.sourcePort = *sp;
  c.virtualAddress = *virt;
  c.virtualPort = *vp;
  c.destination = *real;
  c.destinationPort = *dp;
  c.expiresSeconds = seconds;
  fields >> c.peName >> c.peData;
  return c;
}

}  // namespace

std::vector<IpvsConnection> parseIpvsConnections(std::string_view text) {
  std::vector<IpvsConnection> out;
  std::istringstream lines{std::string(text)};
  std::string row;
  while (std::getline(lines, row)) {
    if (row.starts_with("Pro ")) continue;
    if (auto c = parseRow(row)) out.push_back(std::move(*c));
  }
  return out;
}

nlohmann::json ipvsConnectionsJson(const std::vector<IpvsConnection>& connections) {
  nlohmann::json rows = nlohmann::json::array();
  for (const IpvsConnection& c : connections) {
    nlohmann::json row = {{"protocol", c.protocol},
                          {"source_address", c.source.toString()},
                          {"source_port", c.sourcePort},
                          {"virtual_address", c.virtualAddress.toString()},
                          {"virtual_port", c.virtualPort},
                          {"destination_address", c.destination.toString()},
                          {"destination_port", c.destinationPort},
                          {"state", c.state},
                          {"expires_seconds", c.expiresSeconds}};
    if (!c.peName.empty()) row["pe_name"] = c.peName;
    if (!c.peData.empty()) row["pe_data"] = c.peData;
    rows.push_back(std::move(row));
  }
  return {{"available", true}, {"connections", std::move(rows)}};
}

nlohmann::json readIpvsConnections(const std::string& path) {
  std::ifstream file(path);
  if (!file) return {{"available", false}};
  std::ostringstream text;
  text << file.rdbuf();
  return ipvsConnectionsJson(parseIpvsConnections(text.str()));
}

}  // namespace vigil::cli
