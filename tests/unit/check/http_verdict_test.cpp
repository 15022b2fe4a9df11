#include <gtest/gtest.h>

#include "check/http_probe.h"
#include "check/md5_digest.h"

namespace vigil::check {
namespace {

config::HttpUrl urlWith(std::vector<config::StatusRange> statusCodes) {
  config::HttpUrl url;
  url.path = "/health";
  url.statusCodes = std::move(statusCodes);
  return url;
}

HttpResponse responseOf(long status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(HttpVerdict, StatusMustFallInOneOfTheRanges) {
  auto url = urlWith({{200, 204}, {301, 302}});
  EXPECT_TRUE(judgeResponse(url, responseOf(200, ""), nullptr).up());
  EXPECT_TRUE(judgeResponse(url, responseOf(302, ""), nullptr).up());
  ProbeResult result = judgeResponse(url, responseOf(404, ""), nullptr);
  EXPECT_EQ(result.outcome, Outcome::BadStatus);
  EXPECT_NE(result.detail.find("404"), std::string::npos);
  EXPECT_EQ(judgeResponse(url, responseOf(205, ""), nullptr).outcome, Outcome::BadStatus);
}

TEST(HttpVerdict, DigestComparesTheBodyMd5) {
  auto url = urlWith({{200, 299}});
  url.digest = md5Of("hello world\n");
  EXPECT_TRUE(judgeResponse(url, responseOf(200, "hello world\n"), nullptr).up());
  EXPECT_EQ(judgeResponse(url, responseOf(200, "hello world"), nullptr).outcome,
            Outcome::DigestMismatch);
}

TEST(HttpVerdict, StatusIsJudgedBeforeTheDigest) {
  auto url = urlWith({{200, 299}});
  url.digest = md5Of("x");
  EXPECT_EQ(judgeResponse(url, responseOf(500, "y"), nullptr).outcome, Outcome::BadStatus);
}

TEST(HttpVerdict, TruncatedBodyNeverMatchesADigest) {
  auto url = urlWith({{200, 299}});
  auto response = responseOf(200, "partial");
  url.digest = md5Of(response.body);
  response.truncated = true;
  EXPECT_EQ(judgeResponse(url, response, nullptr).outcome, Outcome::DigestMismatch);
}

TEST(HttpVerdict, RegexAndRegexNoMatch) {
  auto url = urlWith({{200, 299}});
  auto regex = std::make_shared<config::HttpRegex>();
  regex->pattern = "ready";
  url.regex = regex;
  auto matcher = HttpRegexMatcher::compile(*regex);
  ASSERT_TRUE(matcher.ok());
  EXPECT_TRUE(judgeResponse(url, responseOf(200, "ready"), matcher->get()).up());
  EXPECT_EQ(judgeResponse(url, responseOf(200, "starting"), matcher->get()).outcome,
            Outcome::RegexMismatch);
}

config::Checker httpChecker(config::HttpCheck http) {
  config::Checker checker;
  checker.base.type = http.tls ? config::CheckerType::Ssl : config::CheckerType::Http;
  checker.target.address = *IpAddress::parse("10.0.0.2");
  checker.target.port = 8443;
  checker.probe = std::make_shared<const config::CheckerProbe>(std::move(http));
  return checker;
}

TEST(HttpRequestFor, HostIsTheVirtualhostElseAddressAndPort) {
  config::HttpCheck http;
  http.urls.push_back(urlWith({{200, 299}}));
  auto checker = httpChecker(http);
  EXPECT_EQ(requestFor(checker, http, http.urls[0], nullptr).host, "10.0.0.2:8443");
  http.urls[0].virtualhost = std::make_shared<const std::string>("www.example");
  EXPECT_EQ(requestFor(checker, http, http.urls[0], nullptr).host, "www.example");
}

TEST(HttpRequestFor, SniOnlyWhenEnabledPreferringSniName) {
  config::HttpCheck http;
  http.tls = true;
  http.urls.push_back(urlWith({{200, 299}}));
  http.urls[0].virtualhost = std::make_shared<const std::string>("www.example");
  auto checker = httpChecker(http);
  EXPECT_EQ(requestFor(checker, http, http.urls[0], nullptr).sniName, "");
  http.enableSni = true;
  EXPECT_EQ(requestFor(checker, http, http.urls[0], nullptr).sniName, "www.example");
  http.sniName = "sni.example";
  EXPECT_EQ(requestFor(checker, http, http.urls[0], nullptr).sniName, "sni.example");
}

}  // namespace
}  // namespace vigil::check
