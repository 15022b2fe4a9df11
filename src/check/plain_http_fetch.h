#pragma once

#include <memory>
#include <optional>
#include <string>

#include "check/http_fetch.h"
#include "check/http_response_reader.h"
#include "check/tcp_socket_pool.h"
#include "core/event_loop.h"
#include "core/unique_fd.h"

// HTTP_GET's plain-HTTP GET on the worker's own loop, without libcurl: a
// non-blocking socket with the target's bind options, the request in one
// send, the response read by HttpResponseReader. It sends the bytes libcurl
// sends for the same request (HttpFetch), and judges the transport the same
// way (a refused connect, an empty reply or a reset is Refused, a truncated
// response a NetworkError) and refuses what libcurl refuses, so verdicts and
// digests match libcurl's but for the two edge cases doc/checkers-http.md
// lists (headers cut off by a close, a 64-100 KB header line). libcurl's
// per-transfer machinery (URL and connection bookkeeping, address strings,
// its own buffers; 84 % of the check worker's user-space instructions per
// HTTP_GET check) is what this saves. Only requests that need a new
// connection each time and no TLS: handles() says which; keep-alive and
// SSL_GET stay with HttpFetch. With a TcpSocketPool (one made with
// kStreamEvents) a target without bind options connects from a pooled
// socket, reset after the response by connect(AF_UNSPEC) (a RST, as the
// zero-linger close sends): no socket, close, SO_LINGER, TCP_QUICKACK or
// epoll add and delete per check (4 system calls: connect, send, recv and
// the reset).
namespace vigil::check {

class PlainHttpFetch final : public HttpFetcher, private TcpSocketPool::Client {
 public:
  // `pool` (may be null: a socket per fetch) must outlive the fetch and
  // register its sockets with TcpSocketPool::kStreamEvents.
  explicit PlainHttpFetch(EventLoop& loop, TcpSocketPool* pool = nullptr);
  ~PlainHttpFetch() override;
  PlainHttpFetch(const PlainHttpFetch&) = delete;
  PlainHttpFetch& operator=(const PlainHttpFetch&) = delete;

  // Plain HTTP, http_protocol 1.0, 1.0C or 1.1 (each closes the connection
  // after the response).
  static bool handles(const HttpRequest& request);
  // The request's bytes: "GET <path> HTTP/1.x", Host, User-Agent
  // KeepAliveClient, Accept */*, and Connection close for 1.0C and 1.1.
  static std::string requestBytes(const HttpRequest& request);

  Status start(const HttpRequest& request, Done done) override;
  void abort() override;

 private:
  // Socket (pooled, or its own with the bind options), packet-trimming
  // options, connect.
  Status connect(const config::ProbeTarget& target);
  Status connectOwnSocket(const config::ProbeTarget& target);
  int fd() const { return lease_ ? lease_->fd() : fd_.get(); }
  void onSocketEvents(uint32_t events) override { onEvents(events); }
  void onEvents(uint32_t events);
  enum class Send : uint8_t { Done, Pending, Ended };
  // Pending: the rest on the next EPOLLOUT edge; Ended: the attempt failed
  // (and `done` may have started the next one).
  Send sendRequest();
  void readResponse();
  void fail(Outcome outcome, std::string detail);
  void failOn(const char* call, int error);
  void finish(HttpResponse response);
  void release();

  EventLoop& loop_;
  TcpSocketPool* pool_;
  std::unique_ptr<Timer> timer_;  // the request's timeout, or a failure of start() to report
  // Going on from the loop: reading after a wake-up's last allowed read, or
  // sending after a pooled socket's connect that completed at once.
  std::unique_ptr<Timer> resume_;
  TcpSocketPool::Lease lease_;  // the pooled socket of the fetch
  UniqueFd fd_;                 // or its own socket (bind options, no pool)
  std::unique_ptr<FdWatch> watch_;
  std::optional<HttpRequest> configured_;  // what request_ was built for
  std::string request_;
  std::string target_;  // "address:port", for messages
  size_t sent_ = 0;
  std::optional<HttpResponseReader> reader_;
  std::optional<ProbeResult> startFailure_;
  Duration timeout_{};
  Done done_;
  bool inFlight_ = false;
};

}  // namespace vigil::check
