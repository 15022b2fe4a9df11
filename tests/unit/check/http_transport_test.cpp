#include <gtest/gtest.h>

#include <cerrno>

#include "check/http_fetch.h"

namespace vigil::check {
namespace {

// What libcurl 7.88 with OpenSSL reports when a TLS 1.3 server requires a
// client certificate the checker did not send: the alert arrives after the
// client's handshake finished, as a failed read.
TEST(HttpTransport, ATls13AlertAfterTheHandshakeIsATlsError) {
  const ProbeResult result = classifyTransport(
      CURLE_RECV_ERROR, 0,
      "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0");
  EXPECT_EQ(result.outcome, Outcome::TlsError);
  EXPECT_NE(result.detail.find("certificate required"), std::string::npos);
}

TEST(HttpTransport, AResetReadIsRefusedAndOtherReadFailuresAreNetworkErrors) {
  EXPECT_EQ(
      classifyTransport(CURLE_RECV_ERROR, ECONNRESET, "Recv failure: Connection reset by peer")
          .outcome,
      Outcome::Refused);
  EXPECT_EQ(classifyTransport(CURLE_RECV_ERROR, 0, "Recv failure").outcome, Outcome::NetworkError);
  EXPECT_EQ(classifyTransport(CURLE_SEND_ERROR, EHOSTUNREACH, "OpenSSL SSL_write: No route to host")
                .outcome,
            Outcome::NetworkError);
}

}  // namespace
}  // namespace vigil::check
