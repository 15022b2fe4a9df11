#include "check/http_probe.h"

#include <fmt/format.h>

#include "check/checker.h"
#include "check/md5_digest.h"
#include "check/plain_http_fetch.h"

namespace vigil::check {

namespace {

ProbeResult failure(Outcome outcome, std::string detail) {
  ProbeResult result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  return result;
}

}  // namespace

ProbeResult judgeResponse(const config::HttpUrl& url, const HttpResponse& response,
                          const HttpRegexMatcher* regex) {
  if (!url.acceptsStatus(static_cast<unsigned>(response.status))) {
    return failure(Outcome::BadStatus,
                   fmt::format("{}: HTTP status {}", url.path, response.status));
  }
  if (url.digest) {
    if (response.truncated) {
      return failure(Outcome::DigestMismatch,
                     fmt::format("{}: body longer than {} bytes", url.path, kMaxBodyBytes));
    }
    Md5 digest = md5Of(response.body);
    if (digest != *url.digest) {
      return failure(Outcome::DigestMismatch,
                     fmt::format("{}: MD5 digest {}, expected {}", url.path, toHex(digest),
                                 toHex(*url.digest)));
    }
  }
  if (regex != nullptr && !regex->passes(response.body)) {
    return failure(Outcome::RegexMismatch, fmt::format("{}: body {} '{}'", url.path,
                                                       url.regex->noMatch ? "matches regex_no_match"
                                                                          : "does not match regex",
                                                       url.regex->pattern));
  }
  return ProbeResult{};
}

Duration curlBackstop(Duration connectTimeout) {
  return connectTimeout + Checker::maxLateGrace(connectTimeout) + kCurlBackstopSlack;
}

HttpRequest requestFor(const config::Checker& checker, const config::HttpCheck& http,
                       const config::HttpUrl& url, std::shared_ptr<const config::SslContext> ssl) {
  HttpRequest request;
  request.target = checker.target;
  request.path = url.path;
  request.host = url.virtualhost ? *url.virtualhost : hostAndPort(checker.target);
  request.protocol = http.protocol;
  request.tls = http.tls;
  if (http.tls && http.enableSni) {
    request.sniName = !http.sniName.empty() ? http.sniName
                      : url.virtualhost     ? *url.virtualhost
                                            : std::string();
  }
  request.verifyCertificate = http.verifyCertificate;
  request.ssl = std::move(ssl);
  request.timeout = curlBackstop(checker.base.connectTimeout);
  return request;
}

HttpProbe::HttpProbe(EventLoop& loop, const config::Checker& checker, CurlMulti& multi,
                     std::shared_ptr<const config::SslContext> ssl, TcpSocketPool* plainSockets)
    : loop_(loop),
      checker_(checker),
      http_(std::get<config::HttpCheck>(*checker_.probe)),
      ssl_(std::move(ssl)) {
  for (const config::HttpUrl& url : http_.urls) {
    std::shared_ptr<const HttpRegexMatcher> matcher;
    std::string error;
    if (url.regex) {
      auto compiled = HttpRegexMatcher::compile(*url.regex);
      if (compiled) {
        matcher = std::move(compiled.value());
      } else {
        error = compiled.error().describe();
      }
    }
    regexes_.push_back(std::move(matcher));
    regexErrors_.push_back(std::move(error));
    requests_.push_back(requestFor(checker_, http_, url, ssl_));
  }
  // Every url shares the checker's scheme and http_protocol.
  if (!requests_.empty() && PlainHttpFetch::handles(requests_.front())) {
    fetch_ = std::make_unique<PlainHttpFetch>(loop_, plainSockets);
  } else {
    fetch_ = std::make_unique<HttpFetch>(multi);
  }
}

void HttpProbe::start(Done done) {
  abort(AbortReason::Stopped);
  done_ = std::move(done);
  ++attempt_;
  fetchUrl(0);
}

void HttpProbe::abort(AbortReason /*reason*/) {
  ++attempt_;
  fetch_->abort();
  done_ = nullptr;
}

void HttpProbe::fetchUrl(size_t index) {
  if (index >= http_.urls.size()) {
    complete(ProbeResult{});
    return;
  }
  if (!regexErrors_[index].empty()) {
    complete(failure(Outcome::Internal, regexErrors_[index]));
    return;
  }
  Status started = fetch_->start(requests_[index], [this, index](HttpResponse response) {
    onResponse(index, std::move(response));
  });
  if (!started) {
    complete(failure(Outcome::Internal, started.error().describe()));
  }
}

void HttpProbe::onResponse(size_t index, HttpResponse response) {
  if (!response.transport.up()) {
    complete(std::move(response.transport));
    return;
  }
  ProbeResult verdict = judgeResponse(http_.urls[index], response, regexes_[index].get());
  if (!verdict.up()) {
    complete(std::move(verdict));
    return;
  }
  fetchUrl(index + 1);
}

void HttpProbe::complete(ProbeResult result) {
  // Posted, so `done` never runs inside start() and a checker that starts
  // the next attempt from `done` is not re-entering curl's completion.
  loop_.post([this, alive = std::weak_ptr<int>(alive_), attempt = attempt_,
              result = std::move(result)]() mutable {
    if (alive.expired() || attempt != attempt_ || !done_) {
      return;
    }
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  });
}

}  // namespace vigil::check
