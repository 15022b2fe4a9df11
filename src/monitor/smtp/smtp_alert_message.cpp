#include "monitor/smtp/smtp_alert_message.h"

#include <ctime>

namespace vigil::monitor::smtp {
namespace {

// Header and body lines end in CRLF whatever the caller wrote.
std::string crlfLines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

// A header value never carries a line break (header injection through an
// instance name or router_id).
std::string oneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += oneLine(item);
  }
  return out;
}

}  // namespace

std::string alertSubject(std::string_view routerId, const AlertEvent& event) {
  const std::string prefix = "[" + std::string(routerId) + "] ";
  switch (event.kind) {
    case AlertKind::VrrpInstance:
      return oneLine(prefix + "VRRP Instance " + event.name + " - Entering " + event.state +
                     " state");
    case AlertKind::VrrpSyncGroup:
      return oneLine(prefix + "VRRP Group " + event.name + " - Entering " + event.state + " state");
    case AlertKind::RealServer:
      return oneLine(prefix + "Realserver " + event.name + " of " + event.service + " - " +
                     event.state);
    case AlertKind::Quorum:
      return oneLine(prefix + "Virtual server " + event.name + " - quorum " +
                     (event.state == "UP" ? "met" : "lost"));
    case AlertKind::Checker:
      return oneLine(prefix + "Realserver " + event.name + " of " + event.service + " - " +
                     event.checker + " check " + (event.state == "UP" ? "succeeded" : "failed"));
  }
  return oneLine(prefix + event.name);
}

std::string alertBody(std::string_view routerId, const AlertEvent& event) {
  const std::string director = "director " + std::string(routerId);
  switch (event.kind) {
    case AlertKind::VrrpInstance:
    case AlertKind::VrrpSyncGroup: {
      const std::string what =
          (event.kind == AlertKind::VrrpInstance ? "VRRP instance " : "VRRP sync group ") +
          event.name;
      if (event.state == "MASTER") {
        return "=> " + what + " on " + director +
               " is now MASTER: it holds the virtual addresses <=\n";
      }
      if (event.state == "FAULT") {
        return "=> " + what + " on " + director +
               " is in FAULT: it holds no virtual address and takes no part in elections <=\n";
      }
      return "=> " + what + " on " + director + " is now " + event.state +
             ": it holds no virtual address <=\n";
    }
    case AlertKind::RealServer:
      return "=> Real server " + event.name + " of virtual server " + event.service + " on " +
             director +
             (event.state == "UP" ? " passed its checks and takes traffic again <=\n"
                                  : " failed its checks and takes no new traffic <=\n");
    case AlertKind::Quorum:
      return "=> Virtual server " + event.name + " on " + director +
             (event.state == "UP" ? " has its quorum of live real servers again <=\n"
                                  : " lost its quorum of live real servers <=\n");
    case AlertKind::Checker:
      return "=> Checker " + event.checker + " of real server " + event.name +
             " of virtual server " + event.service + " on " + director +
             (event.state == "UP" ? " passes again <=\n" : " fails <=\n");
  }
  return {};
}

std::string rfc5322Date(std::chrono::system_clock::time_point date) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(date);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  // Names spelled out: strftime's %a/%b follow the locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

std::string buildMessage(const MailEnvelope& envelope, std::string_view subject,
                         std::string_view body, std::chrono::system_clock::time_point date,
                         std::string_view messageId) {
  std::string out;
  out += "Date: " + rfc5322Date(date) + "\r\n";
  out += "From: " + oneLine(envelope.from) + "\r\n";
  out += "To: " + joined(envelope.to) + "\r\n";
  out += "Subject: " + oneLine(subject) + "\r\n";
  out += "Message-ID: <" + oneLine(messageId) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "\r\n";
  out += crlfLines(body);
  return out;
}

std::string dotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 8);
  bool lineStart = true;
  for (char c : message) {
    if (lineStart && c == '.') out += '.';
    out += c;
    lineStart = c == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace vigil::monitor::smtp
