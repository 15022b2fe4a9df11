#pragma once

#include <memory>
#include <string>
#include <vector>

#include "check/curl_multi.h"
#include "check/http_fetch.h"
#include "check/http_regex.h"
#include "check/probe.h"
#include "check/tcp_socket_pool.h"
#include "config/model_lvs.h"
#include "core/clock.h"
#include "core/event_loop.h"

// HTTP_GET and SSL_GET: one attempt fetches every url { } in order and
// passes only if each one does; plain HTTP that closes its connection goes
// through PlainHttpFetch on the loop, the rest (TLS, keep-alive) through
// HttpFetch on the worker's CurlMulti. A url fails on its
// status (BadStatus), then its digest (DigestMismatch), then its regex
// (RegexMismatch); transport failures are Refused, Timeout, NetworkError or
// TlsError. The first failing url ends the attempt.
namespace vigil::check {

// The verdict on one response that arrived (response.transport is Up).
// `regex` is the url's compiled regex, or null when it has none.
ProbeResult judgeResponse(const config::HttpUrl& url, const HttpResponse& response,
                          const HttpRegexMatcher* regex);

// How long libcurl may run one url's transfer before it gives up by itself.
// The timeout that counts is the checker's (connect_timeout, extended when
// its timer fired late because the loop was busy; see check/checker.h),
// which aborts the transfer. libcurl measures its own timeout on the wall
// clock and checks it before reading what arrived, so a libcurl timeout
// equal to connect_timeout reported a server that answered during a stall
// of the loop as timed out. This backstop lies beyond the checker's longest
// judgement (connect_timeout + its grace) by kCurlBackstopSlack, so it never
// fires first unless the loop stalls that long; it only stops a transfer
// that nothing else ends from holding its socket.
inline constexpr Duration kCurlBackstopSlack = std::chrono::seconds(10);
Duration curlBackstop(Duration connectTimeout);

// What HTTP_GET / SSL_GET send for one url: Host is the url's virtualhost
// or "address:port"; SNI (SSL_GET with enable_sni) is sni_name, else the
// virtualhost; libcurl's timeout is curlBackstop(connect_timeout).
HttpRequest requestFor(const config::Checker& checker, const config::HttpCheck& http,
                       const config::HttpUrl& url, std::shared_ptr<const config::SslContext> ssl);

class HttpProbe final : public Probe {
 public:
  // `checker` must hold an HttpCheck. `ssl` is the global SSL { } block
  // (null: the library's defaults); only SSL_GET uses it. `plainSockets`
  // (may be null) is PlainHttpFetch's pool (see check/plain_http_fetch.h).
  HttpProbe(EventLoop& loop, const config::Checker& checker, CurlMulti& multi,
            std::shared_ptr<const config::SslContext> ssl, TcpSocketPool* plainSockets = nullptr);

  void start(Done done) override;
  void abort(AbortReason reason) override;

 private:
  void fetchUrl(size_t index);
  void onResponse(size_t index, HttpResponse response);
  void complete(ProbeResult result);

  EventLoop& loop_;
  config::Checker checker_;
  const config::HttpCheck& http_;  // inside checker_.probe
  std::shared_ptr<const config::SslContext> ssl_;
  // PlainHttpFetch when it handles the probe's requests, else HttpFetch.
  std::unique_ptr<HttpFetcher> fetch_;
  // Per url: its compiled regex (null: none, or it failed to compile, in
  // which case regexErrors_ says why and the url fails as Internal).
  std::vector<std::shared_ptr<const HttpRegexMatcher>> regexes_;
  std::vector<std::string> regexErrors_;
  std::vector<HttpRequest> requests_;  // per url, built once
  Done done_;
  // Bumped by every start() and abort(), so a result posted for an attempt
  // that was aborted is dropped.
  uint64_t attempt_ = 0;
  // Expires with the probe: a posted result never reaches a dead probe.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vigil::check
