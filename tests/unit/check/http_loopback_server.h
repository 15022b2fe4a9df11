#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.h"
#include "core/unique_fd.h"

namespace vigil::test {

// A tiny HTTP/1.x server on 127.0.0.1 that runs on the test's own loop, so a
// probe and its server share one thread and nothing sleeps. Responses are
// chosen by path; unknown paths get 404. It keeps a connection open only
// when the request asks for keep-alive.
class LoopbackHttpServer {
 public:
  explicit LoopbackHttpServer(EventLoop& loop) : loop_(loop) {
    listen_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ok_ = ::bind(listen_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
          ::listen(listen_.get(), 16) == 0 &&
          ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0;
    port_ = ntohs(address.sin_port);
    listenWatch_ = loop_.watchFd(listen_.get(), EPOLLIN, [this](uint32_t) { accept(); });
  }

  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  void serve(const std::string& path, int status, std::string body) {
    pages_[path] = {status, std::move(body)};
  }
  // Sends `response` byte for byte (status line and headers included), then
  // closes.
  void serveRaw(const std::string& path, std::string response) { raw_[path] = std::move(response); }
  const std::vector<std::string>& requests() const { return requests_; }
  int connections() const { return connections_; }

 private:
  struct Page {
    int status = 200;
    std::string body;
  };
  struct Connection {
    UniqueFd fd;
    std::unique_ptr<FdWatch> watch;
    std::string in;
    std::string out;
    bool closeAfter = true;
  };

  void accept() {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    ++connections_;
    auto conn = std::make_shared<Connection>();
    conn->fd = UniqueFd(fd);
    // Weak: the watch lives inside the connection.
    conn->watch =
        loop_.watchFd(fd, EPOLLIN, [this, weak = std::weak_ptr<Connection>(conn)](uint32_t) {
          if (auto live = weak.lock()) {
            onReady(live);
          }
        });
    open_[fd] = conn;
  }

  void onReady(std::shared_ptr<Connection> conn) {
    char buffer[4096];
    ssize_t n = ::recv(conn->fd.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      conn->in.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 && conn->out.empty()) {
      open_.erase(conn->fd.get());
      return;
    }
    size_t end = conn->in.find("\r\n\r\n");
    if (end != std::string::npos && conn->out.empty()) {
      std::string request = conn->in.substr(0, end + 4);
      conn->in.erase(0, end + 4);
      requests_.push_back(request);
      respond(*conn, request);
    }
    flush(conn);
  }

  void respond(Connection& conn, const std::string& request) {
    std::string path = request.substr(4, request.find(' ', 4) - 4);
    if (auto raw = raw_.find(path); raw != raw_.end()) {
      conn.closeAfter = true;
      conn.out = raw->second;
      return;
    }
    auto it = pages_.find(path);
    Page page = it != pages_.end() ? it->second : Page{404, "not found\n"};
    bool http11 = request.find(" HTTP/1.1\r\n") != std::string::npos;
    bool keepAlive = request.find("Connection: keep-alive") != std::string::npos;
    bool close = request.find("Connection: close") != std::string::npos;
    conn.closeAfter = close || (!http11 && !keepAlive);
    conn.out = "HTTP/1.1 " + std::to_string(page.status) +
               " X\r\nContent-Length: " + std::to_string(page.body.size()) + "\r\n" +
               (conn.closeAfter ? "Connection: close\r\n" : "") + "\r\n" + page.body;
  }

  void flush(const std::shared_ptr<Connection>& conn) {
    while (!conn->out.empty()) {
      ssize_t n = ::send(conn->fd.get(), conn->out.data(), conn->out.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (errno == EAGAIN) {
          conn->watch->setEvents(EPOLLIN | EPOLLOUT);
          return;
        }
        open_.erase(conn->fd.get());
        return;
      }
      conn->out.erase(0, static_cast<size_t>(n));
    }
    conn->watch->setEvents(EPOLLIN);
    if (conn->closeAfter) {
      open_.erase(conn->fd.get());
    }
  }

  EventLoop& loop_;
  UniqueFd listen_;
  std::unique_ptr<FdWatch> listenWatch_;
  bool ok_ = false;
  uint16_t port_ = 0;
  std::map<std::string, Page> pages_;
  std::map<std::string, std::string> raw_;
  std::map<int, std::shared_ptr<Connection>> open_;
  std::vector<std::string> requests_;
  int connections_ = 0;
};

}  // namespace vigil::test
