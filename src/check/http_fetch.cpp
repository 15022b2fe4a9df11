#include "check/http_fetch.h"

#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "check/socket_options.h"
#include "core/log.h"

namespace vigil::check {

namespace {

// The largest receive buffer glibc's per-thread cache serves (requests up to
// 1,032 bytes; libcurl asks for one byte more than this); also libcurl's
// smallest. A health page fits in it.
constexpr long kSmallReceiveBufferBytes = 1024;
// libcurl's default, for a request whose response did not fit the small
// buffer: each buffer's worth costs a recv and a zero-timeout poll, so a
// 64 KB page took 65 reads at 1 KB (+20 % CPU per fetch, doc/benchmarks.md).
constexpr long kLargeReceiveBufferBytes = 16 * 1024;

bool isTlsFailure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

// A TLS 1.3 server that refuses the client (a client certificate it
// requires, say) sends its alert after the client's side of the handshake is
// done, so libcurl reports a failed read or write from the TLS library
// ("OpenSSL SSL_read: ... tlsv13 alert certificate required, errno 0") with
// no socket error behind it.
bool isTlsLayerIoFailure(CURLcode code, long osErrno, const std::string& curlMessage) {
  return (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) && osErrno == 0 &&
         curlMessage.find("SSL_") != std::string::npos;
}

Outcome classifyCode(CURLcode code, long osErrno, const std::string& curlMessage) {
  if (code == CURLE_OK) {
    return Outcome::Up;
  }
  if (isTlsFailure(code) || isTlsLayerIoFailure(code, osErrno, curlMessage)) {
    return Outcome::TlsError;
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Outcome::Timeout;
    case CURLE_COULDNT_CONNECT:
      if (osErrno == ECONNREFUSED) {
        return Outcome::Refused;
      }
      return osErrno == ETIMEDOUT ? Outcome::Timeout : Outcome::NetworkError;
    case CURLE_GOT_NOTHING:  // accepted, then closed without a response
      return Outcome::Refused;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return osErrno == ECONNRESET || osErrno == EPIPE ? Outcome::Refused : Outcome::NetworkError;
    default:
      return Outcome::NetworkError;
  }
}

long curlHttpVersion(config::HttpProtocol protocol) {
  switch (protocol) {
    case config::HttpProtocol::Http11:
    case config::HttpProtocol::Http11KeepAlive:
      return CURL_HTTP_VERSION_1_1;
    default:
      return CURL_HTTP_VERSION_1_0;
  }
}

// The Connection header each http_protocol sends; null: none. HTTP/1.1
// without K closes, as keepalived's 1.1 does.
const char* connectionHeader(config::HttpProtocol protocol) {
  switch (protocol) {
    case config::HttpProtocol::Http10Close:
    case config::HttpProtocol::Http11:
      return "Connection: close";
    case config::HttpProtocol::Http10KeepAlive:
      return "Connection: keep-alive";
    default:
      return nullptr;
  }
}

}  // namespace

std::string addressLiteral(const IpAddress& address) {
  return address.isV6() ? "[" + address.toString() + "]" : address.toString();
}

std::string hostAndPort(const config::ProbeTarget& target) {
  return addressLiteral(target.address) + ":" + std::to_string(target.port);
}

ProbeResult classifyTransport(CURLcode code, long osErrno, const std::string& curlMessage) {
  ProbeResult result;
  result.outcome = classifyCode(code, osErrno, curlMessage);
  if (code != CURLE_OK) {
    result.detail = curlMessage.empty() ? curl_easy_strerror(code) : curlMessage;
    if (osErrno != 0 &&
        result.detail.find(std::strerror(static_cast<int>(osErrno))) == std::string::npos) {
      result.detail += std::string(" (") + std::strerror(static_cast<int>(osErrno)) + ")";
    }
  }
  return result;
}

HttpFetch::HttpFetch(CurlMulti& multi) : multi_(multi), easy_(curl_easy_init()) {}

HttpFetch::~HttpFetch() {
  abort();
  if (easy_ != nullptr) {
    curl_easy_cleanup(easy_);
  }
  curl_slist_free_all(headerList_);
  curl_slist_free_all(connectTo_);
  curl_url_cleanup(url_);
}

Status HttpFetch::start(const HttpRequest& request, Done done) {
  abort();
  if (easy_ == nullptr) {
    return Error{0, "curl_easy_init failed"};
  }
  if (!configured_ || !(*configured_ == request)) {
    configured_.reset();
    if (Status configured = configure(request); !configured) {
      return configured;
    }
    configured_ = request;
  }
  if (long wanted = largeResponses_ ? kLargeReceiveBufferBytes : kSmallReceiveBufferBytes;
      wanted != static_cast<long>(receiveBufferBytes_)) {
    curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, wanted);
    receiveBufferBytes_ = static_cast<size_t>(wanted);
  }
  response_ = HttpResponse{};
  socketError_.clear();
  errorBuffer_.assign(CURL_ERROR_SIZE, '\0');
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errorBuffer_.data());
  if (Status added = multi_.add(easy_, [this](CURLcode code) { finish(code); }); !added) {
    return added;
  }
  done_ = std::move(done);
  inFlight_ = true;
  return {};
}

void HttpFetch::abort() {
  if (inFlight_) {
    multi_.remove(easy_);
    inFlight_ = false;
    done_ = nullptr;
  }
}

Status HttpFetch::configure(const HttpRequest& request) {
  curl_easy_reset(easy_);
  // curl keeps pointers to both lists for the transfer's lifetime.
  curl_slist_free_all(headerList_);
  headerList_ = nullptr;
  curl_slist_free_all(connectTo_);
  connectTo_ = nullptr;
  curl_url_cleanup(url_);
  url_ = nullptr;
  target_ = request.target;
  maxBody_ = request.maxBody;

  // With an SNI name the URL carries that name (curl sends SNI for the
  // URL's host, and verifies the certificate against it) and CONNECT_TO
  // points it at the target; without, the URL is the address itself, for
  // which curl neither resolves nor sends SNI.
  std::string address = addressLiteral(request.target.address);
  std::string port = std::to_string(request.target.port);
  bool named = request.tls && !request.sniName.empty();
  std::string urlHost = named ? request.sniName : address;
  std::string path = request.path.starts_with('/') ? request.path : "/" + request.path;
  std::string url = std::string(request.tls ? "https://" : "http://") + urlHost + ":" + port + path;
  setUrl(url);
  if (named) {
    std::string connectTo = urlHost + ":" + port + ":" + address + ":" + port;
    connectTo_ = curl_slist_append(connectTo_, connectTo.c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECT_TO, connectTo_);
  }
  if (!request.host.empty()) {
    headerList_ = curl_slist_append(headerList_, ("Host: " + request.host).c_str());
  }
  if (const char* connection = connectionHeader(request.protocol)) {
    headerList_ = curl_slist_append(headerList_, connection);
  }
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headerList_);
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, curlHttpVersion(request.protocol));
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  // Never a proxy: CURLOPT_PROXY "" ignores http_proxy, and NOPROXY "*"
  // spares libcurl reading (and copying) no_proxy at every transfer.
  curl_easy_setopt(easy_, CURLOPT_PROXY, "");
  curl_easy_setopt(easy_, CURLOPT_NOPROXY, "*");
  // A plain-HTTP request leaves in one send, so Nagle never delays it and
  // TCP_NODELAY would only cost a setsockopt per check (keepalived does not
  // set it either). TLS keeps it: its handshake's last flight and the
  // request are separate writes.
  curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, request.tls ? 1L : 0L);
  // libcurl allocates its receive buffer at every transfer. At 16 KB (its
  // default) that is a large-bin request, which makes glibc consolidate its
  // fast bins each time (malloc_consolidate was the worker's hottest user
  // function); at kSmallReceiveBufferBytes it comes from the thread cache.
  // A fetch starts small and grows for good once a response did not fit
  // (start() and finish()).
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, kSmallReceiveBufferBytes);
  receiveBufferBytes_ = kSmallReceiveBufferBytes;
  // The URL names an address, so there is nothing to cache; and libcurl
  // prunes its DNS cache (shared by the multi) at every transfer by walking
  // all of it: with a cache timeout, one entry per real server, and ~8 % of
  // the check worker's CPU at 1,000 HTTP_GET checks/s (perf). With 0, the
  // cache holds only the transfers in flight.
  curl_easy_setopt(easy_, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_easy_setopt(easy_, CURLOPT_PATH_AS_IS, 1L);
  // The digest covers the bytes as sent, as keepalived's does.
  curl_easy_setopt(easy_, CURLOPT_HTTP_TRANSFER_DECODING, 0L);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, request.tls ? "https" : "http");
  if (request.timeout.count() > 0) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout).count();
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(ms, 1)));
  }
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpFetch::onBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &HttpFetch::onHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  if (!request.target.bindAddress().empty()) {
    std::string interface = "host!" + request.target.bindAddress().toString();
    curl_easy_setopt(easy_, CURLOPT_INTERFACE, interface.c_str());
  }
  if (request.target.bindPort() != 0) {
    curl_easy_setopt(easy_, CURLOPT_LOCALPORT, static_cast<long>(request.target.bindPort()));
    curl_easy_setopt(easy_, CURLOPT_LOCALPORTRANGE, 1L);
  }
  // Every connection: the options that trim its packets (check/socket_options.h), and
  // fwmark / bind_if when the target has them.
  curl_easy_setopt(easy_, CURLOPT_SOCKOPTFUNCTION, &HttpFetch::onSocketOptions);
  curl_easy_setopt(easy_, CURLOPT_SOCKOPTDATA, this);
  if (request.tls) {
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, request.verifyCertificate ? 1L : 0L);
    // The name is checked only when there is one: a bare address is
    // verified by its chain alone.
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, request.verifyCertificate && named ? 2L : 0L);
    if (request.ssl) {
      const config::SslContext& ssl = *request.ssl;
      if (!ssl.caFile.empty()) {
        curl_easy_setopt(easy_, CURLOPT_CAINFO, ssl.caFile.c_str());
      }
      if (!ssl.certificateFile.empty()) {
        curl_easy_setopt(easy_, CURLOPT_SSLCERT, ssl.certificateFile.c_str());
      }
      if (!ssl.keyFile.empty()) {
        curl_easy_setopt(easy_, CURLOPT_SSLKEY, ssl.keyFile.c_str());
      }
      if (!ssl.password.empty()) {
        curl_easy_setopt(easy_, CURLOPT_KEYPASSWD, ssl.password.c_str());
      }
    }
  }
  return {};
}

void HttpFetch::setUrl(const std::string& url) {
  // libcurl parses CURLOPT_URL anew at every transfer (a dozen allocations);
  // a parsed handle is only copied. The flags are those libcurl parses
  // CURLOPT_URL with here; a URL they refuse goes through CURLOPT_URL so it
  // fails the way it always did.
  url_ = curl_url();
  if (url_ != nullptr &&
      curl_url_set(url_, CURLUPART_URL, url.c_str(), CURLU_PATH_AS_IS) == CURLUE_OK) {
    curl_easy_setopt(easy_, CURLOPT_CURLU, url_);
    return;
  }
  curl_url_cleanup(url_);
  url_ = nullptr;
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
}

size_t HttpFetch::onBody(char* data, size_t size, size_t count, void* self) {
  auto* fetch = static_cast<HttpFetch*>(self);
  size_t length = size * count;
  std::string& body = fetch->response_.body;
  size_t room = fetch->maxBody_ - std::min(fetch->maxBody_, body.size());
  if (length > room) {
    body.append(data, room);
    fetch->response_.truncated = true;
    return CURL_WRITEFUNC_ERROR;  // stop reading: finish() judges what arrived
  }
  body.append(data, length);
  return length;
}

size_t HttpFetch::onHeader(char* data, size_t size, size_t count, void* self) {
  auto* fetch = static_cast<HttpFetch*>(self);
  size_t length = size * count;
  std::string_view line(data, length);
  std::string& headers = fetch->response_.headers;
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (after a 1xx): keep the final one
  }
  if (headers.size() + length <= kMaxHeaderBytes) {
    headers.append(line);
  }
  return length;
}

int HttpFetch::onSocketOptions(void* self, curl_socket_t fd, curlsocktype purpose) {
  auto* fetch = static_cast<HttpFetch*>(self);
  if (purpose != CURLSOCKTYPE_IPCXN) {
    return CURL_SOCKOPT_OK;
  }
  // Both only save packets; a socket that refuses them still checks.
  (void)closeAbortively(fd);
  (void)deferHandshakeAck(fd);
  const config::ProbeTarget& target = fetch->target_;
  if (target.fwmark() != 0) {
    uint32_t mark = target.fwmark();
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
      fetch->socketError_ = errnoError("setsockopt(SO_MARK)").describe();
      return CURL_SOCKOPT_ERROR;
    }
  }
  if (!target.bindInterface().empty()) {
    std::string_view name = target.bindInterface().view();
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.data(),
                   static_cast<socklen_t>(name.size())) != 0) {
      fetch->socketError_ = errnoError("bind_if " + std::string(name)).describe();
      return CURL_SOCKOPT_ERROR;
    }
  }
  return CURL_SOCKOPT_OK;
}

void HttpFetch::finish(CURLcode code) {
  inFlight_ = false;
  long status = 0;
  long osErrno = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &osErrno);
  // Our own stop at kMaxBodyBytes is not a failure.
  if (code == CURLE_WRITE_ERROR && response_.truncated) {
    code = CURLE_OK;
  }
  response_.transport = classifyTransport(code, osErrno, errorBuffer_.c_str());
  if (!socketError_.empty()) {
    response_.transport.outcome = Outcome::NetworkError;
    response_.transport.detail = socketError_;
  }
  response_.status = status;
  // A probe fetches the same pages every time: one that outgrew the small
  // buffer once is taken to stay that large.
  if (response_.headers.size() + response_.body.size() > kSmallReceiveBufferBytes) {
    largeResponses_ = true;
  }
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) {
    done(std::move(response_));
  }
}

}  // namespace vigil::check
