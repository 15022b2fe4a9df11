#include "check/owned_services_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/atomic_file.h"
#include "core/log.h"

namespace vigil::check {
namespace {

std::optional<ipvs::Protocol> parseProtocol(const std::string& text) {
  if (text == "TCP") return ipvs::Protocol::Tcp;
  if (text == "UDP") return ipvs::Protocol::Udp;
  if (text == "SCTP") return ipvs::Protocol::Sctp;
  if (text == "-") return ipvs::Protocol::None;
  return std::nullopt;
}

template <class T>
std::optional<T> parseNumber(const std::string& text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string ownedServiceLine(const ipvs::ServiceKey& key) {
  std::string protocol(ipvs::toString(key.protocol));
  std::ostringstream out;
  out << (key.family == AF_INET6 ? 6 : 4) << ' ' << (protocol.empty() ? "-" : protocol) << ' '
      << (key.isFwmark() ? std::string("-") : key.address.toString()) << ' ' << key.port << ' '
      << key.fwmark;
  return out.str();
}

std::optional<ipvs::ServiceKey> parseOwnedServiceLine(const std::string& line) {
  std::istringstream in(line);
  std::string family, protocol, address, port, fwmark, extra;
  if (!(in >> family >> protocol >> address >> port >> fwmark) || (in >> extra)) {
    return std::nullopt;
  }
  auto proto = parseProtocol(protocol);
  auto portNumber = parseNumber<uint16_t>(port);
  auto mark = parseNumber<uint32_t>(fwmark);
  if (!proto || !portNumber || !mark || (family != "4" && family != "6")) return std::nullopt;
  const int af = family == "6" ? AF_INET6 : AF_INET;
  if (*mark != 0) {
    if (address != "-") return std::nullopt;
    ipvs::ServiceKey key = ipvs::ServiceKey::forFwmark(af, *mark);
    return key;
  }
  auto ip = IpAddress::parse(address);
  if (!ip || ip->family() != af || *proto == ipvs::Protocol::None) return std::nullopt;
  return ipvs::ServiceKey::forAddress(*proto, *ip, *portNumber);
}

std::string ownedServicesPathForThisNamespace() {
  struct stat ns {};
  if (::stat("/proc/self/ns/net", &ns) != 0) return {};
  // EEXIST is the usual case; any other failure shows when the file is saved.
  (void)::mkdir(kOwnedServicesDirectory, 0755);
  return std::string(kOwnedServicesDirectory) + "/ipvs-owned." + std::to_string(ns.st_ino);
}

Result<std::set<ipvs::ServiceKey>> OwnedServicesFile::load() const {
  std::ifstream in(path_);
  std::set<ipvs::ServiceKey> keys;
  if (!in) {
    if (errno == ENOENT) return keys;
    return errnoError("cannot read " + path_);
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    auto key = parseOwnedServiceLine(line);
    if (!key) {
      // One damaged line must not disown the others: their services would
      // be taken for an operator's and left in the kernel forever.
      log(LogLevel::Warning, "{}:{}: not a service, line ignored: {}", path_, number, line);
      continue;
    }
    keys.insert(*key);
  }
  return keys;
}

Status OwnedServicesFile::save(const std::set<ipvs::ServiceKey>& keys) const {
  if (keys.empty()) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      return errnoError("cannot remove " + path_);
    }
    return {};
  }
  std::string text;
  for (const ipvs::ServiceKey& key : keys) text += ownedServiceLine(key) + "\n";
  return writeFileAtomically(path_, text);
}

}  // namespace vigil::check
