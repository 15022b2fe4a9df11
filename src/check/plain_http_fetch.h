#pragma once

#include <memory>
#include <optional>
#include <string>

#include "check/http_fetch.h"
#include "check/http_response_reader.h"
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
// SSL_GET stay with HttpFetch.
namespace vigil::check {

class PlainHttpFetch final : public HttpFetcher {
 public:
  explicit PlainHttpFetch(EventLoop& loop);
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
  // Socket, packet-trimming options, bind options, connect.
  Status connect(const config::ProbeTarget& target);
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
  std::unique_ptr<Timer> timer_;   // the request's timeout, or a failure of start() to report
  std::unique_ptr<Timer> resume_;  // reading on after a wake-up's last allowed read
  UniqueFd fd_;
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
