// The floor of an HTTP_GET health check's CPU: the least a checker must do
// per check to GET a page over a fresh connection and judge its status, with
// nothing else (no configuration, no state machine, no timers beyond one
// FIFO of deadlines, no allocation per check). tests/bench/check_scale runs
// it beside vigild and keepalived (`--impl floor`) on the same lab and
// targets, so the CPU it spends per check is what the kernel costs for the
// packets of one check on that lab; what vigil spends above it is vigil's.
//
// Per check: socket (non-blocking), the two packet-trimming options vigil
// sets (SO_LINGER 0: the close is a RST; TCP_QUICKACK 0: the handshake's
// last ACK rides on the request; --fin leaves both out, keepalived's
// packets), one edge-triggered epoll registration, connect, the request in
// one send, recv until the response's headers and Content-Length body are
// in, close. The request bytes are vigil's (and libcurl's and keepalived's):
// GET path HTTP/1.0, Host, User-Agent KeepAliveClient, Accept.
//
// --reuse keeps the sockets instead (vigil's TcpSocketPool): a socket is
// registered with epoll once, reset after the response by connect(AF_UNSPEC)
// (the same RST) and connected again for a later check, with TCP_QUICKACK 0
// set per connect; socket, SO_LINGER, epoll add and close are gone. Every
// check is still a new TCP connection.
//
// Two variants of --reuse try what could trim it further: --withheld sets
// TCP_DEFER_ACCEPT once per kept socket instead of TCP_QUICKACK 0 per connect
// (the handshake's last ACK is held back alike, and the option survives the
// reset: one system call less per check); --eager also sends the request
// right after connect() returns, which succeeds when the handshake completed
// inside it (on a veth lab it does) and otherwise waits for EPOLLOUT.
//
// Built by check_scale (c++ -O2), not by CMake: it is a measuring stick,
// not part of vigil.
//
//   http_floor TARGETS_FILE [--delay-loop S] [--timeout S] [--tick MS]
//              [--fifo PATH] [--status N]
//              [--fin | --reuse | --withheld | --eager] [--max-seconds S]
//
// TARGETS_FILE: one "address port" per line (IPv4). Target i is checked
// every delay-loop seconds, at phase i/N of the period, started on the next
// multiple of --tick ms (50, vigil's Checker::kBatchTick: the checks due in
// one tick share a wake-up; 0 starts each when due, a wake-up apiece). A
// target whose check fails (refused, reset,
// timed out, another status) gets an lvs_notify_fifo line "RS [a]:tcp:p
// DOWN" on --fifo, and "UP" once it passes again. SIGTERM or SIGINT ends
// the run with a summary on stdout, and so does --max-seconds (SIGALRM,
// whole seconds; 0, the default, is no limit): check_scale sets it past
// its run's end, so a floor left behind by a killed check_scale stops.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile sig_atomic_t stopRequested = 0;

void onStopSignal(int /*signo*/) { stopRequested = 1; }

int64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Target {
  sockaddr_in address{};
  std::string name;     // "[a]:tcp:p", for FIFO lines
  std::string request;  // the GET's bytes
  std::string received;
  int fd = -1;
  uint32_t sent = 0;
  uint32_t attempt = 0;  // matches the deadline queue's entry of the check in flight
  bool up = true;
};

struct Deadline {
  int64_t at;
  uint32_t target;
  uint32_t attempt;
};

struct Counts {
  uint64_t started = 0, passed = 0, failed = 0, timedOut = 0, skipped = 0;
};

class Floor {
 public:
  enum class Packets { Vigil, Keepalived, VigilReused, ReusedWithheld, ReusedEager };
  bool reuses() const { return packets_ >= Packets::VigilReused; }

  Floor(std::vector<Target> targets, int64_t periodNs, int64_t timeoutNs, int64_t tickNs, int fifo,
        int status, Packets packets)
      : targets_(std::move(targets)),
        periodNs_(periodNs),
        timeoutNs_(timeoutNs),
        tickNs_(tickNs),
        fifo_(fifo),
        status_(status),
        packets_(packets),
        epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    // An entry stays until its deadline passes, the check finished or not:
    // the ring holds every check started within one timeout.
    int64_t periods = (timeoutNs + periodNs - 1) / periodNs + 1;
    deadlines_.resize(targets_.size() * static_cast<size_t>(periods) + 1);
  }

  int run();
  const Counts& counts() const { return counts_; }

 private:
  void start(uint32_t index);
  void onEvents(int fd, uint32_t events);
  // Complete: status judged; otherwise (more to read) false.
  bool judge(Target& target, bool closed, bool& passed);
  void finish(uint32_t index, bool passed);
  void expire(int64_t now);
  void report(Target& target, bool passed);
  int64_t dueAt(uint64_t sequence) const {
    uint64_t n = targets_.size();
    return start_ + static_cast<int64_t>(sequence / n) * periodNs_ +
           static_cast<int64_t>((sequence % n) * static_cast<uint64_t>(periodNs_) / n);
  }

  std::vector<Target> targets_;
  int64_t periodNs_;
  int64_t timeoutNs_;
  int64_t tickNs_;  // 0: no batching
  int fifo_;
  int status_;
  Packets packets_;
  int epoll_;
  std::vector<int> idle_;         // --reuse: disconnected sockets, still registered
  std::vector<int64_t> ownerOf_;  // by fd: the target its check is for, or -1
  int64_t start_ = 0;
  uint64_t next_ = 0;  // sequence number of the next check to start
  std::vector<Deadline> deadlines_;
  size_t head_ = 0, tail_ = 0;
  Counts counts_;
};

void Floor::start(uint32_t index) {
  Target& target = targets_[index];
  if (target.fd >= 0) {
    ++counts_.skipped;  // still in flight from the last period
    return;
  }
  ++counts_.started;
  int fd = -1;
  if (reuses() && !idle_.empty()) {
    fd = idle_.back();  // registered already
    idle_.pop_back();
  } else {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    // Registered before the connect, for good: epoll reads the socket's
    // state when it reports, so the unconnected socket's edge is not seen.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    if (fd >= 0 && epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      fd = -1;
    }
    if (fd >= 0 && packets_ != Packets::VigilReused && reuses()) {
      int seconds = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
    }
  }
  if (fd < 0) {
    finish(index, false);
    return;
  }
  if (packets_ == Packets::Vigil) {
    linger abortive{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  }
  if (packets_ == Packets::Vigil || packets_ == Packets::VigilReused) {
    int quickAck = 0;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quickAck, sizeof quickAck);
  }
  if (static_cast<size_t>(fd) >= ownerOf_.size()) ownerOf_.resize(static_cast<size_t>(fd) + 1, -1);
  ownerOf_[static_cast<size_t>(fd)] = index;
  target.fd = fd;
  target.sent = 0;
  target.received.clear();
  ++target.attempt;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target.address), sizeof target.address) !=
          0 &&
      errno != EINPROGRESS) {
    finish(index, false);
    return;
  }
  if (packets_ == Packets::ReusedEager) {
    ssize_t n = ::send(fd, target.request.data(), target.request.size(), MSG_NOSIGNAL);
    if (n > 0) target.sent = static_cast<uint32_t>(n);
  }
  deadlines_[tail_] = Deadline{nowNs() + timeoutNs_, index, target.attempt};
  tail_ = (tail_ + 1) % deadlines_.size();
}

bool Floor::judge(Target& target, bool closed, bool& passed) {
  std::string_view bytes = target.received;
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (closed) passed = false;
    return closed;
  }
  size_t body = end + 4;
  size_t length = 0;
  bool hasLength = false;
  for (size_t at = bytes.find("\r\n"); at < end; at = bytes.find("\r\n", at + 2)) {
    std::string_view line = bytes.substr(at + 2);
    if (line.size() > 15 && strncasecmp(line.data(), "Content-Length:", 15) == 0) {
      length = std::strtoul(line.data() + 15, nullptr, 10);
      hasLength = true;
      break;
    }
  }
  if (hasLength && bytes.size() < body + length && !closed) return false;
  if (!hasLength && !closed) return false;
  // "HTTP/1.x NNN"
  passed = bytes.size() > 12 && bytes.starts_with("HTTP/1.") &&
           std::atoi(std::string(bytes.substr(9, 3)).c_str()) == status_;
  return true;
}

void Floor::onEvents(int fd, uint32_t events) {
  int64_t owner = ownerOf_[static_cast<size_t>(fd)];
  if (owner < 0) return;  // an idle socket's edge (its reset)
  auto index = static_cast<uint32_t>(owner);
  Target& target = targets_[index];
  while (target.sent < target.request.size()) {
    ssize_t n = ::send(target.fd, target.request.data() + target.sent,
                       target.request.size() - target.sent, MSG_NOSIGNAL);
    if (n >= 0) {
      target.sent += static_cast<uint32_t>(n);
      continue;
    }
    if (errno == EAGAIN) break;
    finish(index, false);
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) return;
  char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(target.fd, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EAGAIN) return;
      finish(index, false);
      return;
    }
    target.received.append(buffer, static_cast<size_t>(n));
    bool passed = false;
    if (judge(target, n == 0, passed)) {
      finish(index, passed);
      return;
    }
  }
}

void Floor::report(Target& target, bool passed) {
  if (passed == target.up) return;
  target.up = passed;
  if (fifo_ < 0) return;
  std::string line = "RS " + target.name + (passed ? " UP\n" : " DOWN\n");
  [[maybe_unused]] ssize_t n = ::write(fifo_, line.data(), line.size());
}

void Floor::finish(uint32_t index, bool passed) {
  Target& target = targets_[index];
  if (target.fd >= 0) {
    ownerOf_[static_cast<size_t>(target.fd)] = -1;
    sockaddr unspecified{};
    unspecified.sa_family = AF_UNSPEC;
    if (reuses() && ::connect(target.fd, &unspecified, sizeof unspecified) == 0) {
      idle_.push_back(target.fd);
    } else {
      ::close(target.fd);  // also drops the epoll registration
    }
    target.fd = -1;
  }
  ++(passed ? counts_.passed : counts_.failed);
  report(target, passed);
}

void Floor::expire(int64_t now) {
  // Entries of finished checks go without a wake-up of their own: the loop
  // wakes for the head's deadline only when that check is still in flight.
  while (head_ != tail_) {
    Deadline d = deadlines_[head_];
    Target& target = targets_[d.target];
    bool inFlight = target.fd >= 0 && target.attempt == d.attempt;
    if (inFlight && d.at > now) return;
    head_ = (head_ + 1) % deadlines_.size();
    if (inFlight) {
      ++counts_.timedOut;
      finish(d.target, false);
    }
  }
}

int Floor::run() {
  if (epoll_ < 0 || targets_.empty()) return 1;
  start_ = nowNs();
  epoll_event events[1024];
  while (stopRequested == 0) {
    int64_t now = nowNs();
    while (dueAt(next_) <= now) {
      start(static_cast<uint32_t>(next_ % targets_.size()));
      ++next_;
    }
    expire(now);
    int64_t wake = dueAt(next_);
    if (tickNs_ > 0) wake = start_ + ((wake - start_ + tickNs_ - 1) / tickNs_) * tickNs_;
    if (head_ != tail_ && deadlines_[head_].at < wake) wake = deadlines_[head_].at;
    int64_t waitNs = wake - nowNs();
    int waitMs = waitNs <= 0 ? 0 : static_cast<int>((waitNs + 999'999) / 1'000'000);
    int n = epoll_wait(epoll_, events, 1024, waitMs);
    for (int i = 0; i < n; ++i) onEvents(events[i].data.fd, events[i].events);
  }
  return 0;
}

std::vector<Target> readTargets(const char* path) {
  std::vector<Target> targets;
  std::ifstream in(path);
  std::string address;
  unsigned port = 0;
  while (in >> address >> port) {
    Target target;
    target.address.sin_family = AF_INET;
    target.address.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &target.address.sin_addr) != 1) {
      std::cerr << path << ": not an IPv4 address: " << address << '\n';
      std::exit(2);
    }
    std::string hostPort = address + ":" + std::to_string(port);
    target.name = "[" + address + "]:tcp:" + std::to_string(port);
    target.request = "GET / HTTP/1.0\r\nHost: " + hostPort +
                     "\r\nUser-Agent: KeepAliveClient\r\nAccept: */*\r\n\r\n";
    target.received.reserve(256);
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_floor TARGETS_FILE [--delay-loop S] [--timeout S] [--tick MS] "
                 "[--fifo PATH] [--status N] [--fin | --reuse | --withheld | --eager] "
                 "[--max-seconds S]\n";
    return 2;
  }
  double delayLoop = 1.0, timeout = 1.0, tickMs = 50;
  const char* fifoPath = nullptr;
  int status = 200;
  unsigned maxSeconds = 0;
  Floor::Packets packets = Floor::Packets::Vigil;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--delay-loop" && hasValue) {
      delayLoop = std::atof(argv[++i]);
    } else if (arg == "--timeout" && hasValue) {
      timeout = std::atof(argv[++i]);
    } else if (arg == "--tick" && hasValue) {
      tickMs = std::atof(argv[++i]);
    } else if (arg == "--fifo" && hasValue) {
      fifoPath = argv[++i];
    } else if (arg == "--status" && hasValue) {
      status = std::atoi(argv[++i]);
    } else if (arg == "--max-seconds" && hasValue) {
      maxSeconds = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--fin") {
      packets = Floor::Packets::Keepalived;
    } else if (arg == "--reuse") {
      packets = Floor::Packets::VigilReused;
    } else if (arg == "--withheld") {
      packets = Floor::Packets::ReusedWithheld;
    } else if (arg == "--eager") {
      packets = Floor::Packets::ReusedEager;
    } else {
      std::cerr << "http_floor: unknown argument " << arg << '\n';
      return 2;
    }
  }
  std::vector<Target> targets = readTargets(argv[1]);
  if (targets.empty() || delayLoop <= 0 || timeout <= 0 || tickMs < 0) {
    std::cerr << "http_floor: no targets in " << argv[1] << ", or a delay/timeout <= 0\n";
    return 2;
  }
  int fifo = fifoPath != nullptr ? ::open(fifoPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
  struct sigaction action {};
  action.sa_handler = onStopSignal;  // no SA_RESTART: epoll_wait returns
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGALRM, &action, nullptr);
  alarm(maxSeconds);  // 0 arms nothing
  Floor floor(std::move(targets), static_cast<int64_t>(delayLoop * 1e9),
              static_cast<int64_t>(timeout * 1e9), static_cast<int64_t>(tickMs * 1e6), fifo, status,
              packets);
  int rc = floor.run();
  const Counts& c = floor.counts();
  std::cout << "checks started " << c.started << ", passed " << c.passed << ", failed " << c.failed
            << " (timed out " << c.timedOut << "), skipped while in flight " << c.skipped << '\n';
  return rc;
}
