#include "monitor/http_server.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>

#include "core/log.h"

namespace vigil::monitor {
namespace {

constexpr size_t kReadChunk = 4096;
// Accepts per wake-up, so a connection flood cannot starve the loop.
constexpr int kAcceptBurst = 16;
// Pipelined requests answered per wake-up before yielding to the loop.
constexpr int kPipelineBurst = 8;
// Output chunks handed to one sendmsg (a response is a head and a few
// pieces of body).
constexpr size_t kSendChunks = 8;

Result<UniqueFd> listenOn(const IpAddress& address, uint16_t port) {
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket");
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (address.isV4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes(), 4);
    length = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, address.bytes(), 16);
    length = sizeof *in6;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return errnoError("bind");
  }
  if (::listen(fd.get(), 16) != 0) return errnoError("listen");
  return fd;
}

uint16_t boundPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

}  // namespace

struct HttpServer::Connection {
  explicit Connection(UniqueFd socket, size_t maxRequestBytes)
      : fd(std::move(socket)), parser(maxRequestBytes) {}

  UniqueFd fd;
  uint64_t serial = 0;  // accept order: the smallest is the oldest
  std::unique_ptr<FdWatch> watch;
  std::unique_ptr<Timer> deadline;
  HttpRequestParser parser;
  // Response bytes in the order to write them; outSent of the first chunk
  // are written. Sent bytes are not erased one send() at a time (that moved
  // a 24 MiB body ~100 times per scrape): a chunk goes once it is all out,
  // and a shared one (a cache's kept body) was never copied in.
  std::deque<OutputChunk> out;
  size_t outSent = 0;
  bool closeAfterWrite = false;
  bool peerClosed = false;
  // Kept alive between requests with nothing of the next one yet: its
  // deadline is idleTimeout until a first byte starts requestTimeout.
  bool idle = false;
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(EventLoop& loop, const IpAddress& address,
                                                      uint16_t port, Handler handler,
                                                      Limits limits) {
  if (address.empty()) return Error{EINVAL, "no address to listen on"};
  auto fd = listenOn(address, port);
  if (!fd) return fd.error();
  const uint16_t bound = boundPort(fd->get());
  return std::unique_ptr<HttpServer>(
      new HttpServer(loop, std::move(*fd), bound, std::move(handler), limits));
}

std::unique_ptr<HttpServer> HttpServer::adopt(EventLoop& loop, UniqueFd listener, Handler handler,
                                              Limits limits) {
  return std::unique_ptr<HttpServer>(
      new HttpServer(loop, std::move(listener), 0, std::move(handler), limits));
}

HttpServer::HttpServer(EventLoop& loop, UniqueFd listener, uint16_t port, Handler handler,
                       Limits limits)
    : loop_(loop),
      listener_(std::move(listener)),
      port_(port),
      handler_(std::move(handler)),
      limits_(limits) {
  listenWatch_ = loop_.watchFd(listener_.get(), EPOLLIN, [this](uint32_t) { onAcceptable(); });
}

HttpServer::Stats& HttpServer::Stats::operator+=(const Stats& other) {
  accepted += other.accepted;
  evicted += other.evicted;
  refused += other.refused;
  timedOut += other.timedOut;
  badRequests += other.badRequests;
  return *this;
}

HttpServer::~HttpServer() = default;

void HttpServer::onAcceptable() {
  for (int i = 0; i < kAcceptBurst; ++i) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == ECONNABORTED || errno == EINTR) continue;
      log(LogLevel::Warning, "monitor: {}", errnoError("accept").describe());
      return;
    }
    ++stats_.accepted;
    if (connections_.size() >= limits_.maxConnections && !makeRoom()) {
      ++stats_.refused;
      continue;  // closed by UniqueFd
    }
    const int key = fd.get();
    auto c = std::make_unique<Connection>(std::move(fd), limits_.maxRequestBytes);
    c->serial = nextSerial_++;
    c->watch = loop_.watchFd(key, EPOLLIN | EPOLLRDHUP,
                             [this, key](uint32_t events) { onEvents(key, events); });
    c->deadline = loop_.createTimer([this, key] { timedOut(key); });
    c->deadline->armAfter(limits_.requestTimeout);
    connections_[key] = std::move(c);
  }
}

bool HttpServer::makeRoom() {
  auto oldest = connections_.end();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (!it->second->out.empty()) continue;  // writing a response: let it finish
    if (oldest == connections_.end() || it->second->serial < oldest->second->serial) oldest = it;
  }
  if (oldest == connections_.end()) return false;
  ++stats_.evicted;
  connections_.erase(oldest);
  return true;
}

void HttpServer::onEvents(int fd, uint32_t events) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if ((events & EPOLLERR) != 0) {
    close(fd);
    return;
  }
  if (!c.out.empty()) {
    // A response drained: answer what was pipelined behind it.
    if (flush(c) && c.out.empty()) (void)answer(c);
    return;
  }
  if (readInput(c)) (void)answer(c);
}

bool HttpServer::readInput(Connection& c) {
  char chunk[kReadChunk];
  // The parser fails once its bound is passed, so this ends.
  while (c.parser.state() == HttpRequestParser::State::Incomplete) {
    ssize_t n = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      if (c.idle) {
        c.idle = false;
        c.deadline->armAfter(limits_.requestTimeout);
      }
      c.parser.feed(std::string_view(chunk, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) {
      c.peerClosed = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    close(c.fd.get());
    return false;
  }
  if (c.peerClosed && c.parser.state() == HttpRequestParser::State::Incomplete) {
    close(c.fd.get());
    return false;
  }
  return true;
}

void HttpServer::appendOutput(Connection& c, std::vector<OutputChunk> chunks) {
  // No empty chunk is queued: flush drops a chunk when its last byte is sent.
  for (OutputChunk& chunk : chunks) {
    if (!chunk.bytes().empty()) c.out.push_back(std::move(chunk));
  }
}

bool HttpServer::answer(Connection& c) {
  for (int i = 0; i < kPipelineBurst; ++i) {
    if (c.parser.state() == HttpRequestParser::State::Incomplete) return true;
    if (c.parser.state() == HttpRequestParser::State::Failed) {
      ++stats_.badRequests;
      const int status = c.parser.errorStatus();
      appendOutput(
          c, serializeResponse(HttpResponse::text(status, std::string(reasonPhrase(status)) + "\n"),
                               false, false));
      c.closeAfterWrite = true;
      return flush(c);
    }
    const HttpRequest& request = c.parser.request();
    appendOutput(c,
                 serializeResponse(handler_(request), request.method == "HEAD", request.keepAlive));
    c.closeAfterWrite = !request.keepAlive;
    c.parser.reset();
    if (c.closeAfterWrite) return flush(c);
    c.parser.feed({});  // a pipelined request already buffered
    // The next request waits until this response is out (EPOLLOUT).
    if (!flush(c)) return false;
    if (!c.out.empty()) return true;
  }
  // More pipelined requests: let the loop turn before answering them.
  if (c.parser.state() != HttpRequestParser::State::Incomplete) {
    const int key = c.fd.get();
    loop_.post([this, key, alive = std::weak_ptr<int>(lifetime_)] {
      if (alive.expired()) return;
      auto it = connections_.find(key);
      if (it != connections_.end() && it->second->out.empty()) (void)answer(*it->second);
    });
  }
  return true;
}

bool HttpServer::flush(Connection& c) {
  while (!c.out.empty()) {
    // Head and body in one call: a small head sent alone would wait on
    // Nagle's algorithm for the client's ACK.
    std::array<iovec, kSendChunks> iov{};
    size_t count = 0;
    for (const OutputChunk& chunk : c.out) {
      if (count == iov.size()) break;
      std::string_view bytes = chunk.bytes();
      if (count == 0) bytes.remove_prefix(c.outSent);
      iov[count].iov_base = const_cast<char*>(bytes.data());
      iov[count].iov_len = bytes.size();
      ++count;
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = count;
    ssize_t n = ::sendmsg(c.fd.get(), &message, MSG_NOSIGNAL);
    if (n > 0) {
      // Chunks all out are dropped at once: a big body is not held by an
      // idle connection.
      auto left = static_cast<size_t>(n);
      while (left > 0) {
        const size_t rest = c.out.front().bytes().size() - c.outSent;
        if (left < rest) {
          c.outSent += left;
          break;
        }
        left -= rest;
        c.out.pop_front();
        c.outSent = 0;
      }
      c.deadline->armAfter(limits_.idleTimeout);  // a slow reader that reads still counts
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.watch->setEvents(EPOLLOUT);  // no reading until this response is out
      return true;
    }
    close(c.fd.get());
    return false;
  }
  if (c.closeAfterWrite || c.peerClosed) {
    close(c.fd.get());
    return false;
  }
  c.watch->setEvents(EPOLLIN | EPOLLRDHUP);
  // A pipelined request already buffered is on requestTimeout at once.
  c.idle = c.parser.state() == HttpRequestParser::State::Incomplete && c.parser.remainder().empty();
  c.deadline->armAfter(c.idle ? limits_.idleTimeout : limits_.requestTimeout);
  return true;
}

void HttpServer::close(int fd) { connections_.erase(fd); }

void HttpServer::timedOut(int fd) {
  ++stats_.timedOut;
  close(fd);
}

}  // namespace vigil::monitor
