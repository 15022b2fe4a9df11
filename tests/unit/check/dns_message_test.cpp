#include "check/dns_message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace vigil::check {
namespace {

using Bytes = std::vector<uint8_t>;

// A reply to `query`: the same header and question, with the response
// bit, `rcode` and `answers` answer records (only counted, never read).
Bytes replyTo(const Bytes& query, uint8_t rcode, uint16_t answers) {
  Bytes reply = query;
  reply[2] |= 0x80;  // QR
  reply[3] = static_cast<uint8_t>((reply[3] & 0xf0) | rcode);
  reply[6] = static_cast<uint8_t>(answers >> 8);
  reply[7] = static_cast<uint8_t>(answers & 0xff);
  return reply;
}

TEST(DnsQueryTest, EncodesARecursiveQueryForAName) {
  auto query = buildDnsQuery(0x1234, "www.example.org", config::DnsType::A);
  ASSERT_TRUE(query.ok());
  const Bytes golden = {
      0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // header
      3,    'w',  'w',  'w',  7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
      3,    'o',  'r',  'g',  0,  // QNAME
      0x00, 0x01, 0x00, 0x01};    // A, IN
  EXPECT_EQ(*query, golden);
}

TEST(DnsQueryTest, TheRootAndATrailingDotEncodeAlike) {
  auto root = buildDnsQuery(1, ".", config::DnsType::Soa);
  ASSERT_TRUE(root.ok());
  const Bytes golden = {0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x01};
  EXPECT_EQ(*root, golden);
  EXPECT_EQ(*buildDnsQuery(1, "example.org.", config::DnsType::Mx),
            *buildDnsQuery(1, "example.org", config::DnsType::Mx));
}

TEST(DnsQueryTest, TypeCodesAreTheRfcOnes) {
  EXPECT_EQ(dnsTypeCode(config::DnsType::Ns), 2);
  EXPECT_EQ(dnsTypeCode(config::DnsType::Cname), 5);
  EXPECT_EQ(dnsTypeCode(config::DnsType::Mx), 15);
  EXPECT_EQ(dnsTypeCode(config::DnsType::Txt), 16);
  EXPECT_EQ(dnsTypeCode(config::DnsType::Aaaa), 28);
}

TEST(DnsQueryTest, RejectsBadLabels) {
  EXPECT_FALSE(buildDnsQuery(1, "a..b", config::DnsType::A).ok());
  EXPECT_FALSE(buildDnsQuery(1, std::string(64, 'a') + ".org", config::DnsType::A).ok());
  std::string longName;
  for (int i = 0; i < 5; ++i) longName += std::string(60, 'a') + ".";
  EXPECT_FALSE(buildDnsQuery(1, longName, config::DnsType::A).ok());
}

TEST(DnsReplyTest, NoErrorWithAnAnswerIsAnswered) {
  Bytes query = *buildDnsQuery(0xbeef, "example.org", config::DnsType::A);
  EXPECT_EQ(checkDnsReply(query, replyTo(query, 0, 1)).verdict, DnsVerdict::Answered);
}

TEST(DnsReplyTest, ErrorCodesAndEmptyAnswersFail) {
  Bytes query = *buildDnsQuery(0xbeef, "example.org", config::DnsType::A);
  DnsReplyCheck nx = checkDnsReply(query, replyTo(query, 3, 0));
  EXPECT_EQ(nx.verdict, DnsVerdict::ErrorCode);
  EXPECT_EQ(nx.rcode, 3U);
  EXPECT_EQ(nx.detail, "rcode 3 (NXDOMAIN)");
  EXPECT_EQ(checkDnsReply(query, replyTo(query, 0, 0)).verdict, DnsVerdict::NoAnswer);
}

TEST(DnsReplyTest, OtherIdsQueriesAndRuntsAreNotOurs) {
  Bytes query = *buildDnsQuery(0xbeef, "example.org", config::DnsType::A);
  Bytes otherId = replyTo(query, 0, 1);
  otherId[1] ^= 0xff;
  EXPECT_EQ(checkDnsReply(query, otherId).verdict, DnsVerdict::NotOurs);
  EXPECT_EQ(checkDnsReply(query, query).verdict, DnsVerdict::NotOurs);  // no QR bit
  EXPECT_EQ(checkDnsReply(query, Bytes{0xbe, 0xef, 0x80}).verdict, DnsVerdict::NotOurs);
}

TEST(DnsReplyTest, TheQuestionMustBeEchoedButCaseMayDiffer) {
  Bytes query = *buildDnsQuery(7, "example.org", config::DnsType::A);
  Bytes upper = replyTo(query, 0, 1);
  upper[13] = 'E';
  EXPECT_EQ(checkDnsReply(query, upper).verdict, DnsVerdict::Answered);
  Bytes otherName = replyTo(query, 0, 1);
  otherName[14] = 'y';
  EXPECT_EQ(checkDnsReply(query, otherName).verdict, DnsVerdict::Malformed);
  Bytes truncated = replyTo(query, 0, 1);
  truncated.resize(truncated.size() - 2);
  EXPECT_EQ(checkDnsReply(query, truncated).verdict, DnsVerdict::Malformed);
}

}  // namespace
}  // namespace vigil::check
