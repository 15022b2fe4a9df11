#include "monitor/sd_notify.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "monitor/health.h"
#include "monitor/json_reader.h"
#include "monitor/snapshot_split.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;

std::optional<uint64_t> parseUnsigned(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const char* end = text + std::strlen(text);
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// "2 MASTER, 1 BACKUP", states in the order the instances list them.
std::string vrrpSummary(const json& snapshot) {
  std::vector<std::pair<std::string, int>> counts;
  auto instances = snapshot.find("instances");
  if (instances != snapshot.end() && instances->is_array()) {
    for (const json& inst : *instances) {
      if (!inst.is_object() || !inst.contains("state") || !inst["state"].is_string()) continue;
      const std::string state = inst["state"].get<std::string>();
      auto it = std::find_if(counts.begin(), counts.end(),
                             [&](const auto& entry) { return entry.first == state; });
      if (it == counts.end()) {
        counts.emplace_back(state, 1);
      } else {
        ++it->second;
      }
    }
  }
  if (counts.empty()) return "no instances";
  std::string out;
  for (const auto& [state, count] : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", count, state);
  }
  return out;
}

// The check worker says `"up": true`; a number counts too.
bool isUp(const json& flag) {
  return flag.is_boolean() ? flag.get<bool>() : flag.is_number() && flag.get<double>() > 0;
}

// A real server's "up" read from its object's text without building it
// (the last one when given twice, as the JSON parser keeps it); through
// the parser when the text is not in the plain shape (json_reader.h).
bool isUpInText(std::string_view object) {
  JsonReader in(object);
  JsonScalar up;
  if (in.beginObject()) {
    for (bool first = true;; first = false) {
      std::optional<std::string_view> name = in.key(first);
      if (!name) break;
      if (*name == "up") {
        up = in.scalar();
      } else {
        in.skipValue(0);
      }
    }
  }
  if (in.failed() || !in.atEnd()) {
    const json rs = json::parse(object, nullptr, false);
    return rs.is_object() && isUp(rs.value("up", json()));
  }
  return up.asNumber().value_or(0) > 0;
}

// "9/10 up" over the real servers of every virtual server, from a check
// snapshot's skeleton (splitRealServers) and the real servers' texts cut
// out of it. systemd's STATUS= line is asked for every second: a JSON tree
// of the whole snapshot (22 MB of text at 50,000 real servers, ten times
// that as a tree) was most of the supervisor's CPU under systemd.
std::string checkSummary(const json& skeleton, const std::vector<std::string_view>& servers) {
  int up = 0;
  int total = 0;
  auto services = skeleton.find("virtual_servers");
  if (services != skeleton.end() && services->is_array()) {
    for (const json& vs : *services) {
      auto list = vs.find("real_servers");
      if (!vs.is_object() || list == vs.end() || !list->is_array()) continue;
      for (const json& rs : *list) {
        ++total;
        if (!rs.is_object()) continue;
        const std::optional<std::string_view> cut = cutServerText(rs, servers);
        if (cut ? isUpInText(*cut) : isUp(rs.value("up", json()))) ++up;
      }
    }
  }
  return fmt::format("{}/{} up", up, total);
}

// The snapshot with its real servers and dataplane cut out (small), parsed;
// null when it is not a JSON object.
json skeletonOf(std::string_view snapshot, SplitSnapshot& split) {
  std::optional<SplitSnapshot> cut = splitRealServers(snapshot);
  if (!cut) return json();
  split = std::move(*cut);
  json skeleton = json::parse(split.skeleton, nullptr, false);
  return skeleton.is_object() ? skeleton : json();
}

std::string labelOf(const WorkerStatus& worker) {
  return worker.name == "vrrp" ? "VRRP" : worker.name == "check" ? "real servers" : worker.name;
}

}  // namespace

std::string readyMessage(std::string_view status) { return "READY=1\n" + statusMessage(status); }

std::string reloadingMessage(uint64_t monotonicUsec) {
  return fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the configuration",
                     monotonicUsec);
}

std::string stoppingMessage() { return "STOPPING=1\nSTATUS=stopping"; }

std::string watchdogMessage() { return "WATCHDOG=1"; }

std::string statusMessage(std::string_view status) {
  std::string line(status);
  std::replace(line.begin(), line.end(), '\n', ' ');
  return "STATUS=" + line;
}

std::optional<Duration> watchdogPingInterval(const char* watchdogUsec, const char* watchdogPid,
                                             pid_t self) {
  if (watchdogPid != nullptr && *watchdogPid != '\0') {
    auto pid = parseUnsigned(watchdogPid);
    if (!pid || *pid != static_cast<uint64_t>(self)) return std::nullopt;
  }
  auto usec = parseUnsigned(watchdogUsec);
  if (!usec || *usec == 0) return std::nullopt;
  return std::chrono::duration_cast<Duration>(std::chrono::microseconds(*usec / 2));
}

std::string statusSummary(const MonitorView& view) { return StatusReader().summary(view); }

bool workersReady(const MonitorView& view, uint64_t generation) {
  return StatusReader().ready(view, generation);
}

const StatusReader::Reading& StatusReader::read(const WorkerStatus& worker) {
  return readings_.get(worker, [](const WorkerStatus& w) {
    Reading reading;
    SplitSnapshot split;
    const json skeleton = skeletonOf(w.lastSnapshot, split);
    if (!skeleton.is_object()) {
      reading.says = "unreadable snapshot";
      return reading;
    }
    auto generation = skeleton.find("generation");
    if (generation != skeleton.end() && generation->is_number_unsigned()) {
      reading.generation = generation->get<uint64_t>();
    }
    reading.says = w.name == "vrrp"    ? vrrpSummary(skeleton)
                   : w.name == "check" ? checkSummary(skeleton, split.servers)
                                       : "running";
    return reading;
  });
}

std::string StatusReader::summary(const MonitorView& view) {
  if (view.workers.empty()) return "no workers configured";
  std::string out;
  for (const WorkerStatus& worker : view.workers) {
    if (!out.empty()) out += "; ";
    out += labelOf(worker);
    if (!worker.running) {
      out += ": worker not running";
    } else if (!hasCurrentSnapshot(worker)) {
      out += ": starting";
    } else {
      out += ": ";
      out += read(worker).says;
    }
  }
  return out;
}

bool StatusReader::ready(const MonitorView& view, uint64_t generation) {
  return std::all_of(view.workers.begin(), view.workers.end(), [&](const WorkerStatus& worker) {
    if (!hasCurrentSnapshot(worker)) return false;
    const std::optional<uint64_t>& running = read(worker).generation;
    return running && *running >= generation;
  });
}

bool workersLively(const MonitorView& view, Duration limit) {
  return std::all_of(view.workers.begin(), view.workers.end(), [&](const WorkerStatus& worker) {
    if (!worker.running) return false;
    std::optional<TimePoint> last = worker.lastHeard;
    if (worker.startedAt && (!last || *last < *worker.startedAt)) last = worker.startedAt;
    return last && view.now - *last <= limit;
  });
}

Result<NotifySocket> NotifySocket::open(std::string_view address) {
  sockaddr_un probe{};
  if (address.size() < 2 || (address[0] != '/' && address[0] != '@') ||
      address.size() > sizeof(probe.sun_path)) {
    return Error{EINVAL, fmt::format("NOTIFY_SOCKET {}: not a unix socket path", address)};
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket(AF_UNIX, SOCK_DGRAM)");
  return NotifySocket(std::move(fd), std::string(address));
}

Status NotifySocket::send(std::string_view message) const {
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  std::memcpy(to.sun_path, address_.data(), address_.size());
  if (address_[0] == '@') to.sun_path[0] = '\0';  // abstract namespace
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  ssize_t sent = ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&to), length);
  if (sent < 0) return errnoError("sendto " + address_);
  return {};
}

}  // namespace vigil::monitor
