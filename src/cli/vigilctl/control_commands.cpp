#include "cli/vigilctl/control_commands.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/vigilctl/control_client.h"
#include "cli/vigilctl/control_format.h"
#include "cli/vigilctl/json_indent.h"

namespace vigil::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Invocation {
  bool json = false;
  std::string socket;
  // ipvs: what ipvsadm -L would list.
  bool connections = false;  // -c, --connection
  bool stats = false;        // --stats
  bool rate = false;         // --rate
  bool exact = false;        // --exact
};

// ipvsadm's listing options, short ones bundled as ipvsadm takes them
// (-Ln, -Lnc, -L -n -c). False for anything else.
bool ipvsOption(const std::string& a, bool& listed, Invocation& out) {
  if (a == "--list") return listed = true;
  if (a == "--numeric") return true;
  if (a == "--connection") return out.connections = true;
  if (a == "--stats") return out.stats = true;
  if (a == "--rate") return out.rate = true;
  if (a == "--exact") return out.exact = true;
  if (a.size() < 2 || a[0] != '-' || a[1] == '-') return false;
  for (char c : a.substr(1)) {
    if (c == 'L' || c == 'l') {
      listed = true;
    } else if (c == 'c') {
      out.connections = true;
    } else if (c != 'n') {
      return false;
    }
  }
  return true;
}

std::string defaultSocket() {
  const char* env = std::getenv(kControlSocketPathEnv);
  return env != nullptr && *env != '\0' ? env : kDefaultControlSocketPath;
}

// Fills `out` from the options; false (after saying why) on bad usage.
bool parseArgs(const std::string& command, const std::vector<std::string>& args, Invocation& out) {
  out.socket = defaultSocket();
  bool listed = command != "ipvs";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      out.json = true;
    } else if (a == "--socket" && i + 1 < args.size()) {
      out.socket = args[++i];
    } else if (command == "ipvs" && ipvsOption(a, listed, out)) {
    } else {
      std::cerr << "vigilctl " << command << ": unexpected argument '" << a << "'\n";
      return false;
    }
  }
  if (!listed) {
    std::cerr << "vigilctl ipvs: only listing is supported: vigilctl ipvs -Ln [--stats|--rate] "
                 "[--exact], vigilctl ipvs -Lnc\n";
    return false;
  }
  if (out.stats + out.rate + out.connections > 1) {
    std::cerr << "vigilctl ipvs: --stats, --rate and -c each list something else; pick one\n";
    return false;
  }
  return true;
}

int reload(const Invocation& how) {
  auto reply = controlRequest(how.socket, "POST", "/reload");
  if (!reply) {
    std::cerr << "vigilctl: " << reply.error().describe() << "\n";
    return kExitFailed;
  }
  const nlohmann::json doc = nlohmann::json::parse(reply->body, nullptr, false);
  const bool ok = reply->status == 200;
  if (how.json || doc.is_discarded()) {
    (ok ? std::cout : std::cerr) << reply->body;
  } else if (ok) {
    std::cout << "reloaded: running generation " << doc.value("generation", 0) << "\n";
  } else {
    std::cerr << "vigilctl reload: " << doc.value("error", std::string("failed")) << "\n";
  }
  return ok ? kExitOk : kExitFailed;
}

// GETs `path` from vigild; null (after saying why) when it fails.
std::optional<std::string> getBody(const Invocation& how, const char* path) {
  auto reply = controlRequest(how.socket, "GET", path);
  if (!reply) {
    std::cerr << "vigilctl: " << reply.error().describe() << "\n";
    return std::nullopt;
  }
  if (reply->status != 200) {
    std::cerr << "vigilctl: vigild answered " << reply->status << ": " << reply->body;
    return std::nullopt;
  }
  return std::move(reply->body);
}

// GETs `path` from vigild as JSON; null (after saying why) when it fails.
std::optional<nlohmann::json> getJson(const Invocation& how, const char* path) {
  const std::optional<std::string> body = getBody(how, path);
  if (!body) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(*body, nullptr, false);
  if (doc.is_discarded()) {
    std::cerr << "vigilctl: vigild's " << path << " is not JSON\n";
    return std::nullopt;
  }
  return doc;
}

int printed(const Result<std::string>& text) {
  if (!text) {
    std::cerr << "vigilctl ipvs: " << text.error().describe() << "\n";
    return kExitFailed;
  }
  std::cout << *text;
  return kExitOk;
}

// ipvs -Lnc, --stats and --rate; plain -Ln goes through query().
int ipvsCounters(const Invocation& how) {
  if (how.connections) {
    auto connections = getJson(how, "/ipvs/connections");
    if (!connections) return kExitFailed;
    const CommandOutput output = ipvsConnectionsOutput(*connections, how.json);
    std::cout << output.out;
    std::cerr << output.err;
    return output.exitCode;
  }
  auto status = getJson(how, "/status");
  if (!status) return kExitFailed;
  if (how.json) {
    const nlohmann::json* snap = workerSnapshot(*status, "check");
    const nlohmann::json dataplane =
        snap != nullptr ? snap->value("dataplane", nlohmann::json::object()) : nlohmann::json();
    if (!dataplane.is_object() || !dataplane.contains("stats")) {
      std::cerr << "vigilctl ipvs: the check worker reads no IPVS counters\n";
      return kExitFailed;
    }
    std::cout << dataplane["stats"].dump(2) << "\n";
    return kExitOk;
  }
  return printed(
      formatIpvsCounters(*status, how.rate ? IpvsCounters::Rate : IpvsCounters::Stats, how.exact));
}

// `status --json`: vigild's /status laid out as it came (json_indent.h),
// without a tree of it.
int printStatusJson(const Invocation& how) {
  const std::optional<std::string> body = getBody(how, "/status");
  if (!body) return kExitFailed;
  const std::optional<std::string> indented = indentJson(*body);
  if (!indented) {
    std::cerr << "vigilctl: vigild's /status is not JSON\n";
    return kExitFailed;
  }
  std::cout << *indented << "\n";
  return kExitOk;
}

int query(const std::string& command, const Invocation& how) {
  if (command == "status" && how.json) return printStatusJson(how);
  auto fetched = getJson(how, "/status");
  if (!fetched) return kExitFailed;
  const nlohmann::json& status = *fetched;
  if (how.json) {
    const nlohmann::json* snap = nullptr;
    if (command == "vrrp" || command == "check" || command == "ipvs") {
      snap = workerSnapshot(status, command == "vrrp" ? "vrrp" : "check");
    }
    std::cout << (command == "status" ? status : snap ? *snap : nlohmann::json()).dump(2) << "\n";
    return command == "status" || snap ? kExitOk : kExitFailed;
  }
  if (command == "status") std::cout << formatStatus(status);
  if (command == "vrrp") std::cout << formatVrrp(status);
  if (command == "check") std::cout << formatCheck(status);
  if (command == "ipvs") {
    auto table = formatIpvs(status);
    if (!table) {
      std::cerr << "vigilctl ipvs: " << table.error().describe() << "\n";
      return kExitFailed;
    }
    std::cout << *table;
  }
  return kExitOk;
}

}  // namespace

bool isControlCommand(const std::string& command) {
  return command == "status" || command == "vrrp" || command == "check" || command == "ipvs" ||
         command == "reload";
}

int runControlCommand(const std::string& command, const std::vector<std::string>& args) {
  Invocation how;
  if (!parseArgs(command, args, how)) return kExitUsage;
  if (command == "reload") return reload(how);
  if (command == "ipvs" && (how.connections || how.stats || how.rate)) return ipvsCounters(how);
  return query(command, how);
}

}  // namespace vigil::cli
