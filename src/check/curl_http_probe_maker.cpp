#include "check/curl_http_probe_maker.h"

#include "check/http_probe.h"

namespace vigil::check {

std::unique_ptr<Probe> CurlHttpProbeMaker::makeHttpProbe(
    const config::Checker& checker, std::shared_ptr<const config::SslContext> ssl) {
  return std::make_unique<HttpProbe>(loop_, checker, multi_, std::move(ssl), &plainSockets_);
}

}  // namespace vigil::check
