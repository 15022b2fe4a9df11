#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "check/curl_multi.h"
#include "check/outcome.h"
#include "config/model_lvs.h"
#include "core/clock.h"
#include "core/result.h"

// One GET of one URL over a CurlMulti, as HTTP_GET / SSL_GET and
// `vigilctl genhash` do it: connect straight to the target address (never
// through a resolver or a proxy), send the Host header and protocol line
// keepalived would, and keep at most kMaxBodyBytes of the body.
namespace vigil::check {

// What both HTTP fetchers (HttpFetch on libcurl, PlainHttpFetch) share.
// The User-Agent keepalived's checkers send, so servers that keep health
// checks out of their access logs by agent keep doing so.
inline constexpr const char* kUserAgent = "KeepAliveClient";
// The longest header line, and the most of the headers a response keeps.
inline constexpr size_t kMaxHeaderBytes = 64 * 1024;

// keepalived reads the whole body for its digest; an endless or huge body
// would hold a probe's memory for as long as the server keeps sending, so
// we stop reading here and judge what arrived (HttpResponse::truncated).
inline constexpr size_t kMaxBodyBytes = 1024 * 1024;

struct HttpRequest {
  config::ProbeTarget target;
  std::string path = "/";
  std::string host;  // the Host header; empty: the target address (and port)
  config::HttpProtocol protocol = config::HttpProtocol::Http10;
  bool tls = false;
  std::string sniName;  // TLS only; empty: no SNI
  bool verifyCertificate = false;
  std::shared_ptr<const config::SslContext> ssl;  // CA, client certificate; may be null
  Duration timeout{};                             // whole transfer; 0: none
  size_t maxBody = kMaxBodyBytes;

  bool operator==(const HttpRequest&) const = default;
};

struct HttpResponse {
  // Up when a response arrived (whatever its status); otherwise why not.
  ProbeResult transport;
  long status = 0;
  std::string headers;  // as received, status line included
  std::string body;     // at most maxBody bytes, transfer coding left as sent
  bool truncated = false;
};

// The address as URLs and Host headers write it: an IPv6 address in
// brackets.
std::string addressLiteral(const IpAddress& address);
// "address:port" with addressLiteral(): the Host header of a request without
// a virtualhost (as keepalived sends it), and the target in messages.
std::string hostAndPort(const config::ProbeTarget& target);

// What a curl code means for a probe (errno: CURLINFO_OS_ERRNO).
ProbeResult classifyTransport(CURLcode code, long osErrno, const std::string& curlMessage);

// One GET at a time of an HttpRequest, as HttpProbe runs its urls: libcurl's
// HttpFetch below, or PlainHttpFetch (check/plain_http_fetch.h) for the
// plain-HTTP requests it handles.
class HttpFetcher {
 public:
  using Done = std::function<void(HttpResponse)>;

  virtual ~HttpFetcher() = default;

  // Starts the GET; `done` runs later on the loop (never inside start()),
  // exactly once, unless abort() comes first. Fails (and never calls done)
  // when the request cannot be made at all.
  virtual Status start(const HttpRequest& request, Done done) = 0;
  virtual void abort() = 0;
};

class HttpFetch final : public HttpFetcher {
 public:
  explicit HttpFetch(CurlMulti& multi);
  ~HttpFetch() override;
  HttpFetch(const HttpFetch&) = delete;
  HttpFetch& operator=(const HttpFetch&) = delete;

  // Starts the GET; `done` runs later on the loop, exactly once, unless
  // abort() comes first. Fails (and never calls done) when curl refuses the
  // request.
  Status start(const HttpRequest& request, Done done) override;
  void abort() override;
  bool inFlight() const { return inFlight_; }
  // libcurl's receive buffer of the fetch last started: small (1 KB) until
  // a response of this HttpFetch did not fit, then 16 KB for good.
  size_t receiveBufferBytes() const { return receiveBufferBytes_; }

 private:
  static size_t onBody(char* data, size_t size, size_t count, void* self);
  static size_t onHeader(char* data, size_t size, size_t count, void* self);
  static int onSocketOptions(void* self, curl_socket_t fd, curlsocktype purpose);
  Status configure(const HttpRequest& request);
  void setUrl(const std::string& url);
  void finish(CURLcode code);

  CurlMulti& multi_;
  CURL* easy_ = nullptr;
  curl_slist* headerList_ = nullptr;
  curl_slist* connectTo_ = nullptr;
  CURLU* url_ = nullptr;  // CURLOPT_CURLU: kept while the easy handle uses it
  config::ProbeTarget target_;
  size_t maxBody_ = kMaxBodyBytes;
  HttpResponse response_;
  std::string errorBuffer_;
  std::string socketError_;  // set when bind_if / fwmark could not be applied
  Done done_;
  bool inFlight_ = false;
  size_t receiveBufferBytes_ = 0;
  bool largeResponses_ = false;  // a response outgrew the small buffer
  // What the easy handle's options were last set for: a probe fetches the
  // same request every time, and resetting and setting every option anew
  // per fetch (URL parse, header lists) was part of each check's cost.
  std::optional<HttpRequest> configured_;
};

}  // namespace vigil::check
