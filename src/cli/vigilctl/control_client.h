#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::cli {

// Where vigild listens for vigilctl unless told otherwise; the same default
// and override as vigild's (cli/vigild/control_socket.h).
inline constexpr const char* kDefaultControlSocketPath = "/run/vigil/vigild.sock";
inline constexpr const char* kControlSocketPathEnv = "VIGIL_CONTROL_SOCKET";

struct ControlReply {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request to vigild's control socket (Connection: close),
// bounded by a few seconds. The error names the socket when vigild is not
// there.
Result<ControlReply> controlRequest(const std::string& socketPath, std::string_view method,
                                    std::string_view path);

// Status code and body of a complete HTTP/1.1 response.
Result<ControlReply> parseReply(std::string_view raw);

}  // namespace vigil::cli
