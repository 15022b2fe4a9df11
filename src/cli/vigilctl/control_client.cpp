#include "cli/vigilctl/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/unique_fd.h"

namespace vigil::cli {
namespace {

// A reload loads and validates the whole file; give it time.
constexpr auto kReplyTimeout = std::chrono::seconds(30);

Result<UniqueFd> connectTo(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return Error{ENAMETOOLONG, "control socket path '" + path + "'"};
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int code = errno;
    return Error{code,
                 "cannot reach vigild on " + path +
                     ((code == ENOENT || code == ECONNREFUSED) ? " (is vigild running?)" : "")};
  }
  return fd;
}

Status sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("send");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<std::string> readAll(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kReplyTimeout;
  std::string raw;
  char buffer[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{ETIMEDOUT, "waiting for vigild's answer"};
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return errnoError("poll");
    if (ready == 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("recv");
    if (n == 0) return raw;
    raw.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

Result<ControlReply> parseReply(std::string_view raw) {
  const size_t headEnd = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.") || headEnd == std::string_view::npos) {
    return Error{EPROTO, "vigild's answer is not HTTP"};
  }
  const size_t space = raw.find(' ');
  if (space == std::string_view::npos || space + 4 > headEnd) {
    return Error{EPROTO, "vigild's answer has no status"};
  }
  ControlReply reply;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (raw[i] < '0' || raw[i] > '9') return Error{EPROTO, "vigild's answer has no status"};
    reply.status = reply.status * 10 + (raw[i] - '0');
  }
  reply.body = std::string(raw.substr(headEnd + 4));
  return reply;
}

Result<ControlReply> controlRequest(const std::string& socketPath, std::string_view method,
                                    std::string_view path) {
  auto fd = connectTo(socketPath);
  if (!fd) return fd.error();
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: vigild\r\nConnection: close\r\n";
  if (method == "POST") request += "Content-Length: 0\r\n";
  request += "\r\n";
  if (Status sent = sendAll(fd->get(), request); !sent) return sent.error();
  auto raw = readAll(fd->get());
  if (!raw) return raw.error();
  return parseReply(*raw);
}

}  // namespace vigil::cli
