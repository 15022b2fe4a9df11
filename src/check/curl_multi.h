#pragma once

#include <curl/curl.h>

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/event_loop.h"
#include "core/result.h"

// One libcurl multi handle driven by a worker's EventLoop: curl tells us
// which sockets to watch (CURLMOPT_SOCKETFUNCTION -> watchFd) and when it
// next needs the clock (CURLMOPT_TIMERFUNCTION -> one Timer), and we hand
// readiness back with curl_multi_socket_action. Every transfer therefore
// runs on the loop's thread: no curl-owned threads, no blocking calls.
// Transfers must name an IP address (or use CURLOPT_CONNECT_TO with one) so
// libcurl never needs its resolver thread.
//
// The multi handle also keeps curl's connection cache, so http_protocol
// keep-alive variants reuse connections across probes.
namespace vigil::check {

class CurlMulti {
 public:
  // How the transfer ended, by curl's code.
  using Completion = std::function<void(CURLcode)>;

  explicit CurlMulti(EventLoop& loop);
  // Drops every transfer in flight without completing it.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts driving `easy`, which stays owned by the caller. `done` runs on
  // the loop, from a later fd or timer callback (never inside add()), once
  // the transfer finishes; the handle is detached from the multi by then.
  // A caller that gives up first calls remove() before cleaning `easy` up.
  Status add(CURL* easy, Completion done);
  // Detaches a transfer without calling its completion; a no-op for a
  // handle that is not in flight.
  void remove(CURL* easy);

  size_t transfers() const { return transfers_.size(); }
  // The sockets curl currently asks the loop to watch (for diagnostics and
  // for tests that drive a simulated loop by hand).
  std::vector<int> watchedFds() const;

 private:
  static int onSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketData);
  static int onTimer(CURLM* multi, long timeoutMs, void* self);
  void watch(curl_socket_t fd, int what);
  void act(curl_socket_t fd, int curlEvents);
  void completeFinished();

  EventLoop& loop_;
  CURLM* multi_ = nullptr;
  std::unique_ptr<Timer> timer_;
  std::unordered_map<curl_socket_t, std::unique_ptr<FdWatch>> watches_;
  std::unordered_map<CURL*, Completion> transfers_;
};

}  // namespace vigil::check
