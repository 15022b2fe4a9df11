#pragma once

#include "check/curl_multi.h"
#include "check/http_probe_maker.h"
#include "check/tcp_socket_pool.h"

namespace vigil::check {

// HttpProbes over one CurlMulti (connection cache shared by every probe it
// makes) and, for plain HTTP, one TcpSocketPool of their sockets. It must
// outlive the probes it made.
class CurlHttpProbeMaker final : public HttpProbeMaker {
 public:
  explicit CurlHttpProbeMaker(EventLoop& loop)
      : loop_(loop),
        multi_(loop),
        plainSockets_(loop, TcpSocketPool::idleBudgetOfThisProcess(),
                      TcpSocketPool::kStreamEvents) {}

  std::unique_ptr<Probe> makeHttpProbe(const config::Checker& checker,
                                       std::shared_ptr<const config::SslContext> ssl) override;

 private:
  EventLoop& loop_;
  CurlMulti multi_;
  TcpSocketPool plainSockets_;  // PlainHttpFetch's
};

}  // namespace vigil::check
