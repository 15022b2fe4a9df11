#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

// The mails vigild sends for smtp_alert (doc/smtp-alerts.md): what happened
// (an AlertEvent), its subject and body, and the whole RFC 5322 message.
// Pure, so every text is unit-tested.
namespace vigil::monitor::smtp {

enum class AlertKind {
  VrrpInstance,   // an instance entered `state`
  VrrpSyncGroup,  // a sync group entered `state`
  RealServer,     // a real server of `service` went UP or DOWN
  Quorum,         // a virtual server's quorum was met (UP) or lost (DOWN)
  Checker,        // one checker of a real server of `service` now passes (UP) or fails (DOWN)
};

struct AlertEvent {
  AlertKind kind = AlertKind::VrrpInstance;
  std::string name;     // instance, group, "ADDRESS:PORT" of the real server, or service
  std::string service;  // RealServer: the virtual server it belongs to
  std::string state;    // MASTER, BACKUP, FAULT; UP or DOWN
  std::string checker;  // Checker: its type and place, "HTTP_GET 2 of 3"
};

// "[router_id] VRRP Instance VI_1 - Entering MASTER state" and its kin.
std::string alertSubject(std::string_view routerId, const AlertEvent& event);
// A few plain lines saying what the event means for the director.
std::string alertBody(std::string_view routerId, const AlertEvent& event);

struct MailEnvelope {
  std::string from;             // notification_email_from
  std::vector<std::string> to;  // notification_email
};

// The message as sent after DATA: RFC 5322 header fields (Date in UTC,
// From, To, Subject, Message-ID, MIME-Version, Content-Type text/plain),
// an empty line, the body; every line ends in CRLF. `messageId` is the part
// inside the angle brackets. Not yet dot-stuffed (dotStuff does that).
std::string buildMessage(const MailEnvelope& envelope, std::string_view subject,
                         std::string_view body, std::chrono::system_clock::time_point date,
                         std::string_view messageId);

// RFC 5322 date-time, "Sat, 21 Nov 2026 20:52:51 +0000".
std::string rfc5322Date(std::chrono::system_clock::time_point date);

// SMTP transparency (RFC 5321 section 4.5.2): a line that starts with '.'
// gets one more, and the end-of-data mark "CRLF.CRLF" is appended (the
// message must end in CRLF, as buildMessage's does).
std::string dotStuff(std::string_view message);

}  // namespace vigil::monitor::smtp
