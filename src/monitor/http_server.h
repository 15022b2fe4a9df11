#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/ip_address.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "monitor/http_request.h"
#include "monitor/http_response.h"

namespace vigil::monitor {

// A small HTTP/1.1 server on an event loop, for the monitoring endpoints.
// Non-blocking throughout: it never waits on a client. Each request head
// is bounded (maxRequestBytes), so are the connections open at once (more
// are accepted and closed at once) and their life without progress
// (idleTimeout: a request must arrive, and a response drain, within it).
// Keep-alive and pipelining work; a connection does not read the next
// request while its response is still being written.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  struct Limits {
    size_t maxRequestBytes = 8192;
    size_t maxConnections = 32;
    Duration idleTimeout = std::chrono::seconds(10);
  };

  // Listens on address:port (port 0: any free port, see port()).
  static Result<std::unique_ptr<HttpServer>> start(EventLoop& loop, const IpAddress& address,
                                                   uint16_t port, Handler handler, Limits limits);
  // Serves on a socket the caller already bound and made listen (e.g. a
  // unix stream socket with its own path and mode); port() is then 0.
  static std::unique_ptr<HttpServer> adopt(EventLoop& loop, UniqueFd listener, Handler handler,
                                           Limits limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  size_t openConnections() const { return connections_.size(); }

 private:
  struct Connection;

  HttpServer(EventLoop& loop, UniqueFd listener, uint16_t port, Handler handler, Limits limits);
  void onAcceptable();
  void onEvents(int fd, uint32_t events);
  // Each returns false when it closed the connection.
  bool readInput(Connection& c);
  bool answer(Connection& c);
  bool flush(Connection& c);
  void close(int fd);

  EventLoop& loop_;
  UniqueFd listener_;
  uint16_t port_;
  Handler handler_;
  Limits limits_;
  std::unique_ptr<FdWatch> listenWatch_;
  std::map<int, std::unique_ptr<Connection>> connections_;
  // Posted callbacks hold a weak_ptr to this: the server may go first.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace vigil::monitor
