#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/ip_address.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "monitor/http_request.h"
#include "monitor/http_response.h"

namespace vigil::monitor {

// A small HTTP/1.1 server on an event loop, for the monitoring endpoints.
// Non-blocking throughout: it never waits on a client, so hostile or broken
// clients cost the loop a bounded amount of work. Each request head is
// bounded (maxRequestBytes, 431 beyond); a head must arrive in full within
// requestTimeout of the connection opening or of its first byte (slowloris
// is closed, trickled bytes buy no time); a kept-alive connection may sit
// idle, and a response may take to drain, idleTimeout between progress.
// At maxConnections a new connection evicts the oldest one still waiting
// for its request (a scraper's fresh connection beats a stalled one); when
// every connection is busy writing, the new one is closed instead.
// Keep-alive and pipelining work; a connection does not read the next
// request while its response is still being written.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  struct Limits {
    size_t maxRequestBytes = 8192;
    size_t maxConnections = 32;
    Duration requestTimeout = std::chrono::seconds(5);
    Duration idleTimeout = std::chrono::seconds(10);
  };

  // What the limits did, since start.
  struct Stats {
    uint64_t accepted = 0;
    uint64_t evicted = 0;      // closed to make room for a newer connection
    uint64_t refused = 0;      // closed on accept: every connection was busy
    uint64_t timedOut = 0;     // closed by requestTimeout or idleTimeout
    uint64_t badRequests = 0;  // answered 4xx/5xx by the parser, then closed

    // Adds another server's counts (a listener's owner totals the servers
    // it ran one after another).
    Stats& operator+=(const Stats& other);
  };
  // operator+= names each counter: a new one must be added there too (and
  // then this count raised), or the owner's totals silently leave it out.
  static_assert(sizeof(Stats) == 5 * sizeof(uint64_t), "add the new counter to Stats::operator+=");

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
  const Stats& stats() const { return stats_; }

 private:
  struct Connection;

  HttpServer(EventLoop& loop, UniqueFd listener, uint16_t port, Handler handler, Limits limits);
  void onAcceptable();
  // Room for one more connection: false when none could be evicted.
  bool makeRoom();
  void onEvents(int fd, uint32_t events);
  // Each returns false when it closed the connection.
  bool readInput(Connection& c);
  bool answer(Connection& c);
  bool flush(Connection& c);
  static void appendOutput(Connection& c, std::vector<OutputChunk> chunks);
  void close(int fd);
  void timedOut(int fd);

  EventLoop& loop_;
  UniqueFd listener_;
  uint16_t port_;
  Handler handler_;
  Limits limits_;
  std::unique_ptr<FdWatch> listenWatch_;
  std::map<int, std::unique_ptr<Connection>> connections_;
  uint64_t nextSerial_ = 0;
  Stats stats_;
  // Posted callbacks hold a weak_ptr to this: the server may go first.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace vigil::monitor
