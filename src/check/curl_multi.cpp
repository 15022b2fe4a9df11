#include "check/curl_multi.h"

#include <sys/epoll.h>

#include <mutex>

#include "core/log.h"

namespace vigil::check {

namespace {

// curl_global_init is not thread-safe and must run before any handle is
// made; every worker makes its CurlMulti on its own thread, so guard it.
void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

uint32_t toEpoll(int curlWhat) {
  switch (curlWhat) {
    case CURL_POLL_IN:
      return EPOLLIN;
    case CURL_POLL_OUT:
      return EPOLLOUT;
    case CURL_POLL_INOUT:
      return EPOLLIN | EPOLLOUT;
    default:
      return 0;
  }
}

int toCurl(uint32_t epollEvents) {
  int events = 0;
  if ((epollEvents & EPOLLIN) != 0) {
    events |= CURL_CSELECT_IN;
  }
  if ((epollEvents & EPOLLOUT) != 0) {
    events |= CURL_CSELECT_OUT;
  }
  if ((epollEvents & (EPOLLERR | EPOLLHUP)) != 0) {
    events |= CURL_CSELECT_ERR;
  }
  return events;
}

}  // namespace

CurlMulti::CurlMulti(EventLoop& loop) : loop_(loop) {
  initCurlOnce();
  multi_ = curl_multi_init();
  timer_ = loop_.createTimer([this] { act(CURL_SOCKET_TIMEOUT, 0); });
  if (multi_ == nullptr) {
    log(LogLevel::Error, "curl: cannot create a multi handle; HTTP checks will fail");
    return;
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::onSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::onTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  if (multi_ != nullptr) {
    for (auto& [easy, done] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
    }
    transfers_.clear();
    // Closes cached connections, which calls onSocket for each: the
    // watches and timer are still alive here.
    curl_multi_cleanup(multi_);
  }
  watches_.clear();
}

Status CurlMulti::add(CURL* easy, Completion done) {
  if (multi_ == nullptr) {
    return Error{0, "curl multi handle unavailable"};
  }
  CURLMcode rc = curl_multi_add_handle(multi_, easy);
  if (rc != CURLM_OK) {
    return Error{0, std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc)};
  }
  // curl asks (through onTimer) to be kicked at once; the transfer starts on
  // the next timer callback, so `done` can never run inside add().
  transfers_[easy] = std::move(done);
  return {};
}

void CurlMulti::remove(CURL* easy) {
  if (transfers_.erase(easy) > 0) {
    curl_multi_remove_handle(multi_, easy);
  }
}

std::vector<int> CurlMulti::watchedFds() const {
  std::vector<int> fds;
  fds.reserve(watches_.size());
  for (const auto& [fd, watch] : watches_) {
    fds.push_back(fd);
  }
  return fds;
}

int CurlMulti::onSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* self,
                        void* /*socketData*/) {
  static_cast<CurlMulti*>(self)->watch(fd, what);
  return 0;
}

int CurlMulti::onTimer(CURLM* /*multi*/, long timeoutMs, void* self) {
  auto* multi = static_cast<CurlMulti*>(self);
  if (timeoutMs < 0) {
    multi->timer_->cancel();
  } else {
    // Even a zero timeout goes through the timer: curl forbids calling
    // socket_action from inside its own callback.
    multi->timer_->armAfter(std::chrono::milliseconds(timeoutMs));
  }
  return 0;
}

void CurlMulti::watch(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) {
    watches_.erase(fd);
    return;
  }
  uint32_t events = toEpoll(what);
  auto it = watches_.find(fd);
  if (it != watches_.end()) {
    it->second->setEvents(events);
    return;
  }
  watches_[fd] = loop_.watchFd(fd, events, [this, fd](uint32_t ready) { act(fd, toCurl(ready)); });
}

void CurlMulti::act(curl_socket_t fd, int curlEvents) {
  int running = 0;
  CURLMcode rc = curl_multi_socket_action(multi_, fd, curlEvents, &running);
  if (rc != CURLM_OK) {
    log(LogLevel::Warning, "curl_multi_socket_action: {}", curl_multi_strerror(rc));
  }
  completeFinished();
}

void CurlMulti::completeFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) {
      continue;
    }
    CURL* easy = message->easy_handle;
    CURLcode result = message->data.result;
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) {
      continue;
    }
    Completion done = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    // May add or remove transfers (the next url of a probe), which is safe
    // here: we are outside every curl callback.
    done(result);
  }
}

}  // namespace vigil::check
