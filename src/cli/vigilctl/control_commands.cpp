#include "cli/vigilctl/control_commands.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/vigilctl/control_client.h"
#include "cli/vigilctl/control_format.h"

namespace vigil::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Invocation {
  bool json = false;
  std::string socket;
};

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
    } else if (command == "ipvs" && (a == "-Ln" || a == "-nL" || a == "-L" || a == "-n")) {
      listed = listed || a != "-n";
    } else {
      std::cerr << "vigilctl " << command << ": unexpected argument '" << a << "'\n";
      return false;
    }
  }
  if (!listed) {
    std::cerr << "vigilctl ipvs: only listing is supported: vigilctl ipvs -Ln\n";
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

int query(const std::string& command, const Invocation& how) {
  auto reply = controlRequest(how.socket, "GET", "/status");
  if (!reply) {
    std::cerr << "vigilctl: " << reply.error().describe() << "\n";
    return kExitFailed;
  }
  if (reply->status != 200) {
    std::cerr << "vigilctl: vigild answered " << reply->status << ": " << reply->body;
    return kExitFailed;
  }
  const nlohmann::json status = nlohmann::json::parse(reply->body, nullptr, false);
  if (status.is_discarded()) {
    std::cerr << "vigilctl: vigild's /status is not JSON\n";
    return kExitFailed;
  }
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
  return command == "reload" ? reload(how) : query(command, how);
}

}  // namespace vigil::cli
