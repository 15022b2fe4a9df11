#include "check/plain_http_fetch.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "check/probe_socket.h"
#include "check/socket_options.h"

namespace vigil::check {

namespace {

// A health page arrives in one read; a large one takes a read per 16 KB.
constexpr size_t kReadBytes = 16 * 1024;
// One wake-up reads at most this many times (64 KB) before giving the loop
// back: a server that sends faster than we parse must not keep the worker
// inside one callback, away from its timers and every other check.
constexpr int kReadsPerWake = 4;

}  // namespace

PlainHttpFetch::PlainHttpFetch(EventLoop& loop, TcpSocketPool* pool)
    : loop_(loop),
      pool_(pool),
      timer_(loop.createTimer([this] {
        if (startFailure_) {
          ProbeResult failure = std::move(*startFailure_);
          startFailure_.reset();
          fail(failure.outcome, std::move(failure.detail));
          return;
        }
        fail(Outcome::Timeout,
             fmt::format("no complete response from {} within {} ms", target_,
                         std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()));
      })),
      resume_(loop.createTimer([this] { onEvents(EPOLLOUT | EPOLLIN); })) {}

PlainHttpFetch::~PlainHttpFetch() { abort(); }

bool PlainHttpFetch::handles(const HttpRequest& request) {
  if (request.tls) return false;
  switch (request.protocol) {
    case config::HttpProtocol::Http10:
    case config::HttpProtocol::Http10Close:
    case config::HttpProtocol::Http11:
      return true;
    default:
      return false;
  }
}

std::string PlainHttpFetch::requestBytes(const HttpRequest& request) {
  bool http11 = request.protocol == config::HttpProtocol::Http11;
  std::string path = request.path.starts_with('/') ? request.path : "/" + request.path;
  std::string host = request.host.empty() ? hostAndPort(request.target) : request.host;
  std::string bytes =
      fmt::format("GET {} HTTP/1.{}\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\n", path,
                  http11 ? 1 : 0, host, kUserAgent);
  if (request.protocol != config::HttpProtocol::Http10) bytes += "Connection: close\r\n";
  bytes += "\r\n";
  return bytes;
}

Status PlainHttpFetch::start(const HttpRequest& request, Done done) {
  abort();
  if (!configured_ || !(*configured_ == request)) {
    configured_.reset();
    request_ = requestBytes(request);
    target_ = hostAndPort(request.target);
    configured_ = request;
  }
  done_ = std::move(done);
  inFlight_ = true;
  sent_ = 0;
  reader_.emplace(request.maxBody);
  timeout_ = request.timeout;
  if (Status connected = connect(request.target); !connected) {
    // Reported from the loop: `done` never runs inside start().
    startFailure_ = socketFailure(connected.error());
    timer_->armAfter(Duration{0});
    return {};
  }
  if (timeout_.count() > 0) timer_->armAfter(timeout_);
  return {};
}

Status PlainHttpFetch::connect(const config::ProbeTarget& target) {
  if (target.address.empty()) return Error{EDESTADDRREQ, "no address to fetch from"};
  if (pool_ == nullptr || target.bound()) return connectOwnSocket(target);
  // A Withheld socket holds the handshake's last ACK back until the request
  // carries it, as TCP_QUICKACK 0 does on an own socket, but its option is
  // set once in the socket's life instead of once per connect (a disconnect
  // clears TCP_QUICKACK). A request sent within the delayed-ACK time of the
  // SYN-ACK also puts the connection in "pingpong" mode, so the response's
  // data is not ACKed before the reset either (PlainHttpFetchTest.
  // TheServerReceivesThreeSegmentsPerFetch).
  lease_ = pool_->acquire(target.address.family(), TcpFinalAck::Withheld, *this);
  if (!lease_) return errnoError("socket");
  auto started = startConnect(lease_->fd(), target, 0);
  if (!started) return Error{started.error().code, fmt::format("connect to {}", target_)};
  // Registered with the pool's stream events once for the socket's life
  // (edge-triggered); a connect that completed at once has no edge to come.
  lease_->armWritable();
  if (*started) resume_->armAfter(Duration{0});
  return {};
}

Status PlainHttpFetch::connectOwnSocket(const config::ProbeTarget& target) {
  fd_.reset(::socket(target.address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) return errnoError("socket");
  // Both only save packets (check/socket_options.h); a socket that refuses
  // them still checks.
  (void)closeAbortively(fd_.get());
  (void)deferHandshakeAck(fd_.get());
  auto ifindex = applyBindOptions(fd_.get(), target);
  if (!ifindex) return ifindex.error();
  auto started = startConnect(fd_.get(), target, *ifindex);
  // socketFailure() adds the errno's text.
  if (!started) return Error{started.error().code, fmt::format("connect to {}", target_)};
  // Edge-triggered: one registration for the whole exchange (no change of
  // events after the request is out); every edge is read until EAGAIN, in
  // turns of kReadsPerWake reads (readResponse).
  watch_ = loop_.watchFd(fd_.get(), TcpSocketPool::kStreamEvents,
                         [this](uint32_t events) { onEvents(events); });
  return {};
}

void PlainHttpFetch::abort() {
  if (!inFlight_) return;
  release();
  done_ = nullptr;
}

void PlainHttpFetch::release() {
  inFlight_ = false;
  timer_->cancel();
  resume_->cancel();
  startFailure_.reset();
  if (lease_) pool_->release(std::move(lease_));  // connect(AF_UNSPEC): a RST
  // Closing first drops the epoll registration with the socket; the watch's
  // own EPOLL_CTL_DEL then fails at once.
  fd_.reset();  // SO_LINGER 0: a RST, no TIME_WAIT on either side
  watch_.reset();
}

void PlainHttpFetch::onEvents(uint32_t events) {
  if (sent_ < request_.size()) {
    // A failed connect reports its error here: send returns it. A server
    // may answer (or refuse) before taking the whole request: read anyway.
    if (sendRequest() == Send::Ended) return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) readResponse();
}

PlainHttpFetch::Send PlainHttpFetch::sendRequest() {
  while (sent_ < request_.size()) {
    ssize_t n = ::send(fd(), request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
    if (n >= 0) {
      sent_ += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Send::Pending;  // the next EPOLLOUT edge
    failOn(sent_ == 0 ? "connect to" : "send to", errno);
    return Send::Ended;
  }
  return Send::Done;
}

void PlainHttpFetch::readResponse() {
  char buffer[kReadBytes];
  // Every way out of the loop that ends the attempt returns at once: `done`
  // may already have started the next url's fetch on this object.
  for (int reads = 0;; ++reads) {
    if (reads == kReadsPerWake) {
      // Not at EAGAIN yet, so no new edge will come: continue from the loop
      // once the other due work has run.
      resume_->armAfter(Duration{0});
      return;
    }
    ssize_t n = ::recv(fd(), buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) failOn("recv from", errno);
      return;  // EAGAIN: the next EPOLLIN edge
    }
    HttpResponseReader::State state =
        n == 0 ? reader_->closed() : reader_->feed({buffer, static_cast<size_t>(n)});
    if (state == HttpResponseReader::State::Complete) {
      finish(reader_->take());
      return;
    }
    if (state == HttpResponseReader::State::Failed) {
      // A connection accepted and closed without a byte is Refused, as
      // libcurl's CURLE_GOT_NOTHING is.
      fail(reader_->nothing() ? Outcome::Refused : Outcome::NetworkError,
           fmt::format("{}: {}", target_, reader_->error()));
      return;
    }
  }
}

void PlainHttpFetch::failOn(const char* call, int error) {
  // As classifyTransport reads libcurl's codes: a refused connect, a reset
  // or a broken pipe is Refused, a connect timeout a Timeout.
  Outcome outcome = Outcome::NetworkError;
  if (error == ECONNREFUSED || error == ECONNRESET || error == EPIPE) outcome = Outcome::Refused;
  if (error == ETIMEDOUT) outcome = Outcome::Timeout;
  fail(outcome, fmt::format("{} {}: {}", call, target_, std::strerror(error)));
}

void PlainHttpFetch::fail(Outcome outcome, std::string detail) {
  HttpResponse response;
  response.transport.outcome = outcome;
  response.transport.detail = std::move(detail);
  finish(std::move(response));
}

void PlainHttpFetch::finish(HttpResponse response) {
  release();
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(response));
}

}  // namespace vigil::check
