// Checker blocks read into the model: each type's own keywords, the
// targets they probe, and their per-type defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/config/lvs_test_support.h"

namespace vigil::config {
namespace {

using namespace std::chrono_literals;
using lvstest::errors;
using lvstest::load;
using lvstest::onlyService;
using lvstest::service;
using lvstest::warnings;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The checkers of the one real server of `service("", rsBody)`.
std::vector<Checker> checkersOf(const LoadResult& r) {
  const VirtualServer& vs = onlyService(r);
  return vs.realServers.empty() ? std::vector<Checker>{} : vs.realServers[0].checkers;
}

template <class Probe>
Probe only(const LoadResult& r) {
  auto checkers = checkersOf(r);
  EXPECT_EQ(checkers.size(), 1u);
  if (checkers.empty() || !std::holds_alternative<Probe>(*checkers[0].probe)) {
    ADD_FAILURE() << "no checker of the expected type";
    return Probe{};
  }
  return std::get<Probe>(*checkers[0].probe);
}

TEST(CheckerConfigTest, TcpCheckTargetsTheRealServerUnlessTold) {
  auto r = load(service("", R"(    TCP_CHECK {
    }
    TCP_CHECK {
      connect_ip 10.0.0.20
      connect_port 8080
      bindto 10.0.0.1
      bind_port 5000
      bind_if eth1
      fwmark 9
    }
)"));
  auto checkers = checkersOf(r);
  ASSERT_EQ(checkers.size(), 2u);
  EXPECT_EQ(checkers[0].base.type, CheckerType::Tcp);
  const ProbeTarget& plain = checkers[0].target;
  EXPECT_EQ(plain.address.toString(), "10.0.0.2");
  EXPECT_EQ(plain.port, 80);
  EXPECT_TRUE(plain.bindAddress().empty());
  const ProbeTarget& t = checkers[1].target;
  EXPECT_EQ(t.address.toString(), "10.0.0.20");
  EXPECT_EQ(t.port, 8080);
  EXPECT_EQ(t.bindAddress().toString(), "10.0.0.1");
  EXPECT_EQ(t.bindPort(), 5000);
  EXPECT_EQ(t.bindInterface().view(), "eth1");
  EXPECT_EQ(t.fwmark(), 9u);
}

TEST(CheckerConfigTest, HttpGetUrls) {
  auto r = load(service("", R"(    HTTP_GET {
      url {
        path /health
        digest 640205B7B0FC66C1EA91C463FAC6334D
        status_code 200-299 400-499 503 505
      }
      url {
        path /other
      }
      http_protocol 1.1
      fast_recovery
      nb_get_retry 4
    }
)"));
  auto http = only<HttpCheck>(r);
  EXPECT_FALSE(http.tls);
  EXPECT_EQ(http.protocol, HttpProtocol::Http11);
  EXPECT_TRUE(http.fastRecovery);
  EXPECT_EQ(checkersOf(r).at(0).base.retry, 4u);
  ASSERT_EQ(http.urls.size(), 2u);
  const HttpUrl& u = http.urls[0];
  EXPECT_EQ(u.path, "/health");
  ASSERT_TRUE(u.digest);
  EXPECT_EQ((*u.digest)[0], 0x64);
  EXPECT_EQ((*u.digest)[15], 0x4d);
  EXPECT_THAT(u.statusCodes, ElementsAre(StatusRange{200, 299}, StatusRange{400, 499},
                                         StatusRange{503, 503}, StatusRange{505, 505}));
  EXPECT_TRUE(u.acceptsStatus(404));
  EXPECT_FALSE(u.acceptsStatus(504));
  EXPECT_FALSE(u.regex);
  EXPECT_FALSE(http.urls[1].digest);
  EXPECT_THAT(http.urls[1].statusCodes, ElementsAre(StatusRange{200, 299}));  // default
}

TEST(CheckerConfigTest, UrlRegex) {
  auto r = load(service("", R"(    HTTP_GET {
      url {
        path /
        regex "^OK [0-9]+"
        regex_no_match
        regex_options caseless multiline
        regex_stack 32768 1048576
        regex_min_offset 10
        regex_max_offset 100
      }
    }
)"));
  auto http = only<HttpCheck>(r);
  ASSERT_EQ(http.urls.size(), 1u);
  ASSERT_TRUE(http.urls[0].regex);
  const HttpRegex& re = *http.urls[0].regex;
  EXPECT_EQ(re.pattern, "^OK [0-9]+");
  EXPECT_TRUE(re.noMatch);
  EXPECT_TRUE(re.has(RegexOption::Caseless));
  EXPECT_TRUE(re.has(RegexOption::Multiline));
  EXPECT_FALSE(re.has(RegexOption::Utf));
  EXPECT_EQ(re.stackStart, 32768u);
  EXPECT_EQ(re.stackMax, 1048576u);
  EXPECT_EQ(re.minOffset, 10u);
  EXPECT_EQ(re.maxOffset, 100u);
}

// url virtualhost, else the checker's, else the real server's, else the
// virtual server's.
TEST(CheckerConfigTest, VirtualhostInheritance) {
  auto r = load(service("  virtualhost vs.example\n", R"(    HTTP_GET {
      url {
        path /a
        virtualhost url.example
      }
      url {
        path /b
      }
    }
    HTTP_GET {
      virtualhost checker.example
      url {
        path /c
      }
    }
)"));
  auto checkers = checkersOf(r);
  ASSERT_EQ(checkers.size(), 2u);
  const auto& first = std::get<HttpCheck>(*checkers[0].probe).urls;
  EXPECT_EQ(*first.at(0).virtualhost, "url.example");
  EXPECT_EQ(*first.at(1).virtualhost, "vs.example");
  EXPECT_EQ(*std::get<HttpCheck>(*checkers[1].probe).urls.at(0).virtualhost, "checker.example");

  auto rsLevel = load(service("",
                              "    virtualhost rs.example\n    HTTP_GET {\n"
                              "      url {\n        path /\n      }\n    }\n"));
  EXPECT_EQ(*only<HttpCheck>(rsLevel).urls.at(0).virtualhost, "rs.example");
}

TEST(CheckerConfigTest, SslGet) {
  auto r = load(service("", R"(    SSL_GET {
      url {
        path /
      }
      enable_sni
      sni_name api.example
      verify_cert
    }
)"));
  EXPECT_THAT(warnings(r), IsEmpty());
  EXPECT_EQ(checkersOf(r).at(0).base.type, CheckerType::Ssl);
  auto https = only<HttpCheck>(r);
  EXPECT_TRUE(https.tls);
  EXPECT_TRUE(https.enableSni);
  EXPECT_EQ(https.sniName, "api.example");
  EXPECT_TRUE(https.verifyCertificate);
  EXPECT_EQ(checkersOf(r).at(0).target.port, 80);
}

TEST(CheckerConfigTest, MiscCheck) {
  auto r = load(service("  delay_loop 15\n", R"(    MISC_CHECK {
      misc_path "/usr/local/bin/check.sh arg1 arg2"
      misc_dynamic
      user nobody nogroup
    }
    MISC_CHECK {
      misc_path /bin/true
      misc_timeout 4
    }
)"));
  auto checkers = checkersOf(r);
  ASSERT_EQ(checkers.size(), 2u);
  const auto& first = std::get<MiscCheck>(*checkers[0].probe);
  EXPECT_EQ(first.script.command, "/usr/local/bin/check.sh arg1 arg2");
  EXPECT_EQ(first.script.user, "nobody");
  EXPECT_EQ(first.script.group, "nogroup");
  EXPECT_TRUE(first.dynamic);
  EXPECT_EQ(first.timeout, 15s);  // default: the delay_loop
  const auto& second = std::get<MiscCheck>(*checkers[1].probe);
  EXPECT_FALSE(second.dynamic);
  EXPECT_EQ(second.timeout, 4s);
}

TEST(CheckerConfigTest, SmtpCheckHostsInheritTheCheckersTarget) {
  auto r = load(service("", R"(    SMTP_CHECK {
      helo_name mail.example
      connect_port 587
      host {
        connect_ip 10.0.0.30
      }
      host {
        connect_ip 10.0.0.31
        connect_port 25
        bindto 10.0.0.1
      }
    }
    SMTP_CHECK {
    }
)"));
  auto checkers = checkersOf(r);
  ASSERT_EQ(checkers.size(), 2u);
  const auto& smtp = std::get<SmtpCheck>(*checkers[0].probe);
  EXPECT_EQ(smtp.heloName, "mail.example");
  ASSERT_EQ(smtp.hosts.size(), 2u);
  EXPECT_EQ(smtp.hosts[0].address.toString(), "10.0.0.30");
  EXPECT_EQ(smtp.hosts[0].port, 587);
  EXPECT_EQ(smtp.hosts[1].port, 25);
  EXPECT_EQ(smtp.hosts[1].bindAddress().toString(), "10.0.0.1");
  EXPECT_EQ(checkers[0].target, smtp.hosts[0]);
  const auto& plain = std::get<SmtpCheck>(*checkers[1].probe);
  EXPECT_EQ(plain.heloName, "smtpchecker.keepalived.org");
  ASSERT_EQ(plain.hosts.size(), 1u);
  EXPECT_EQ(plain.hosts[0].address.toString(), "10.0.0.2");
  EXPECT_EQ(plain.hosts[0].port, 80);
}

TEST(CheckerConfigTest, DnsCheck) {
  auto r = load(service("",
                        "    DNS_CHECK {\n      type aaaa\n      name example.com\n    }\n"
                        "    DNS_CHECK {\n    }\n"));
  auto checkers = checkersOf(r);
  ASSERT_EQ(checkers.size(), 2u);
  const auto& dns = std::get<DnsCheck>(*checkers[0].probe);
  EXPECT_EQ(dns.type, DnsType::Aaaa);
  EXPECT_EQ(dns.name, "example.com");
  const auto& plain = std::get<DnsCheck>(*checkers[1].probe);
  EXPECT_EQ(plain.type, DnsType::Soa);
  EXPECT_EQ(plain.name, ".");
}

TEST(CheckerConfigTest, DnsCheckOnAPortlessRealServerAsksPort53) {
  auto r = load(
      "virtual_server fwmark 1 {\n  lb_kind DR\n  real_server 10.0.0.2 {\n"
      "    DNS_CHECK {\n    }\n  }\n}\n");
  EXPECT_EQ(checkersOf(r).at(0).target.port, 53);
}

// keepalived.conf(5)'s example: "Ab12f 3 456 546443123" is
// AB 12 0F 03 45 06 54 64 43 12 03.
TEST(CheckerConfigTest, UdpCheckHexStrings) {
  auto r = load(service("", R"(    UDP_CHECK {
      payload Ab12f 3 456 546443123
      require_reply 12xX 7
      min_reply_length 2
      max_reply_length 512
    }
)"));
  auto udp = only<UdpCheck>(r);
  EXPECT_THAT(udp.payload,
              ElementsAre(0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03));
  EXPECT_TRUE(udp.requireReply);
  EXPECT_THAT(udp.reply,
              ElementsAre(MaskedByte{0x12, 0xff}, MaskedByte{0x00, 0x00}, MaskedByte{0x07, 0xff}));
  EXPECT_EQ(udp.minReplyLength, 2);
  EXPECT_EQ(udp.maxReplyLength, 512);
}

TEST(CheckerConfigTest, UdpCheckDefaults) {
  auto r = load(service("", "    UDP_CHECK {\n      require_reply\n    }\n"));
  auto udp = only<UdpCheck>(r);
  EXPECT_TRUE(udp.payload.empty());
  EXPECT_TRUE(udp.requireReply);
  EXPECT_TRUE(udp.reply.empty());
  EXPECT_EQ(udp.minReplyLength, 0);
  EXPECT_EQ(udp.maxReplyLength, 255);
}

TEST(CheckerConfigTest, PingCheckHasNoPort) {
  auto r = load(service("", "    PING_CHECK {\n      retry 4\n    }\n"));
  (void)only<PingCheck>(r);
  EXPECT_EQ(checkersOf(r).at(0).target.address.toString(), "10.0.0.2");
  EXPECT_EQ(checkersOf(r).at(0).target.port, 0);
  EXPECT_EQ(checkersOf(r).at(0).base.retry, 4u);
}

TEST(CheckerConfigTest, FileCheckNamesATrackFile) {
  auto r = load("track_file load {\n  file /run/load\n}\n" +
                service("",
                        "    FILE_CHECK {\n      track_file load\n      weight -10 reverse\n"
                        "      dynamic\n    }\n"));
  EXPECT_THAT(errors(r), IsEmpty());
  auto file = only<FileCheck>(r);
  EXPECT_EQ(file.trackFile, "load");
  EXPECT_EQ(file.weight, -10);
  EXPECT_TRUE(file.reverse);
  EXPECT_TRUE(file.dynamic);
}

TEST(CheckerConfigTest, CheckerKeywordsOutsideTheirTypeAreUnknown) {
  auto r = load(service("",
                        "    MISC_CHECK {\n      misc_path /bin/true\n      connect_port 80\n"
                        "    }\n    FILE_CHECK {\n      track_file x\n      retry 3\n    }\n"
                        "    TCP_CHECK {\n      misc_path /bin/true\n    }\n"));
  EXPECT_THAT(warnings(r),
              ElementsAre("t.conf:6:7: warning: unknown keyword 'connect_port' in MISC_CHECK; "
                          "ignored",
                          "t.conf:10:7: warning: unknown keyword 'retry' in FILE_CHECK; ignored",
                          "t.conf:13:7: warning: unknown keyword 'misc_path' in TCP_CHECK; "
                          "ignored"));
}

}  // namespace
}  // namespace vigil::config
