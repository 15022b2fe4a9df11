#include "cli/vigild/control_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/vigild/ipvs_connections.h"
#include "core/log.h"

namespace vigil::cli {
namespace {

constexpr mode_t kDirectoryMode = 0755;
constexpr mode_t kSocketMode = 0600;

Result<sockaddr_un> unixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return Error{ENAMETOOLONG, "control socket path '" + path + "'"};
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// Creates the socket's directory (one level, as /run/vigil) when missing.
Status ensureDirectory(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  const std::string dir = path.substr(0, slash);
  if (::mkdir(dir.c_str(), kDirectoryMode) == 0) {
    // Not narrowed by the umask: vigilctl users must be able to look in.
    if (::chmod(dir.c_str(), kDirectoryMode) != 0) return errnoError("chmod " + dir);
    return {};
  }
  if (errno != EEXIST) return errnoError("mkdir " + dir);
  return {};
}

// A socket file nobody listens on is left over from a vigild that died;
// one that answers belongs to a running vigild and must not be stolen.
Status clearStale(const sockaddr_un& address, const std::string& path) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return errnoError("socket");
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return Error{EADDRINUSE, "another vigild answers on " + path};
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errnoError("unlink " + path);
  return {};
}

Result<UniqueFd> listenOn(const std::string& path) {
  auto address = unixAddress(path);
  if (!address) return address.error();
  if (Status dir = ensureDirectory(path); !dir) return dir.error();
  if (Status stale = clearStale(*address, path); !stale) return stale.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket");
  // Bind under a tight umask so the file is never reachable by others,
  // not even between bind() and chmod().
  const mode_t old = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  ::umask(old);
  if (bound != 0) return errnoError("bind " + path);
  if (::chmod(path.c_str(), kSocketMode) != 0) return errnoError("chmod " + path);
  if (::listen(fd.get(), 16) != 0) return errnoError("listen " + path);
  return fd;
}

monitor::HttpResponse json(int status, const nlohmann::json& body) {
  monitor::HttpResponse r;
  r.status = status;
  r.contentType = "application/json";
  r.body = body.dump() + "\n";
  return r;
}

}  // namespace

std::string controlSocketPath(const std::optional<std::string>& flag,
                              const std::string& configured) {
  std::string path = configured;
  if (flag) {
    path = *flag;
  } else if (const char* value = std::getenv(kControlSocketEnv)) {
    path = value;
  }
  return path == "off" ? std::string() : path;
}

monitor::HttpResponse controlRoute(const monitor::HttpRequest& request,
                                   const monitor::HttpServer::Handler& routes,
                                   const ControlSocket::Reload& reload) {
  if (request.path() == "/ipvs/connections") {
    // Read here, not by a worker: the file is the host's (the namespace's),
    // and a read costs a walk of the kernel's connection hash.
    if (request.method != "GET") return monitor::HttpResponse::text(405, "only GET\n");
    return json(200, readIpvsConnections());
  }
  if (request.path() != "/reload") return routes(request);
  if (request.method != "POST") {
    monitor::HttpResponse r = monitor::HttpResponse::text(405, "only POST\n");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  Result<uint64_t> outcome = reload();
  if (!outcome) return json(500, {{"reloaded", false}, {"error", outcome.error().describe()}});
  return json(200, {{"reloaded", true}, {"generation", *outcome}});
}

ControlSocket::ControlSocket(std::string path, dev_t device, ino_t inode)
    : path_(std::move(path)), device_(device), inode_(inode) {}

Result<std::unique_ptr<ControlSocket>> ControlSocket::open(EventLoop& loop, const std::string& path,
                                                           monitor::HttpServer::Handler routes,
                                                           Reload reload) {
  auto fd = listenOn(path);
  if (!fd) return fd.error();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errnoError("stat " + path);
  std::unique_ptr<ControlSocket> socket(new ControlSocket(path, st.st_dev, st.st_ino));
  socket->server_ = monitor::HttpServer::adopt(
      loop, std::move(*fd),
      [routes = std::move(routes), reload = std::move(reload)](
          const monitor::HttpRequest& request) { return controlRoute(request, routes, reload); },
      {});
  return socket;
}

ControlSocket::~ControlSocket() {
  server_.reset();
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && st.st_dev == device_ && st.st_ino == inode_) {
    ::unlink(path_.c_str());
  }
}

}  // namespace vigil::cli
