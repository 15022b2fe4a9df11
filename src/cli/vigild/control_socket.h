#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/event_loop.h"
#include "core/result.h"
#include "monitor/http_server.h"

namespace vigil::cli {

inline constexpr const char* kDefaultControlSocket = "/run/vigil/vigild.sock";
// Overrides the socket path for vigild and vigilctl alike; "off" (or an
// empty value) keeps vigild from opening one.
inline constexpr const char* kControlSocketEnv = "VIGIL_CONTROL_SOCKET";

// Where vigild listens, first found: `flag` (vigild --control-socket), then
// $VIGIL_CONTROL_SOCKET, then `configured` (global_defs control_socket,
// which defaults to kDefaultControlSocket). "off" or an empty value from
// the flag or the environment means no socket: the result is empty.
std::string controlSocketPath(const std::optional<std::string>& flag,
                              const std::string& configured);

// vigilctl's way in (doc/vigilctl.md): the monitoring routes (/status,
// /metrics, /healthz) plus POST /reload, served over HTTP/1.1 on a unix
// stream socket only root (mode 0600) can open. Its directory is created
// 0755 when missing; a stale socket left by a dead vigild is replaced, but a
// live one is left alone (open() fails). The socket file is removed when
// this goes, unless another process has replaced it meanwhile.
class ControlSocket {
 public:
  // The generation now running, or why the file was not taken.
  using Reload = std::function<Result<uint64_t>()>;

  static Result<std::unique_ptr<ControlSocket>> open(EventLoop& loop, const std::string& path,
                                                     monitor::HttpServer::Handler routes,
                                                     Reload reload);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

 private:
  ControlSocket(std::string path, dev_t device, ino_t inode);

  std::string path_;
  dev_t device_;
  ino_t inode_;
  std::unique_ptr<monitor::HttpServer> server_;
};

// The answer to a request on the control socket: /reload (POST only) runs
// `reload`, 200 with the new generation or 500 with why; GET
// /ipvs/connections lists the kernel's IPVS connections (ipvs_connections.h);
// everything else goes to `routes`.
monitor::HttpResponse controlRoute(const monitor::HttpRequest& request,
                                   const monitor::HttpServer::Handler& routes,
                                   const ControlSocket::Reload& reload);

}  // namespace vigil::cli
