#include "cli/vigild/smtp_alert_service.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "core/log.h"
#include "monitor/smtp/smtp_alert_message.h"

namespace vigil::cli {
namespace {

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// smtp_server as an address; a name through the resolver (blocking, so only
// here, at start and reload).
std::optional<IpAddress> resolve(const std::string& host) {
  if (auto address = IpAddress::parse(host)) return address;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  std::optional<IpAddress> out;
  if (found->ai_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
    out = IpAddress::fromBytes(AF_INET, reinterpret_cast<const uint8_t*>(&in->sin_addr));
  } else if (found->ai_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(found->ai_addr);
    out = IpAddress::fromBytes(AF_INET6, reinterpret_cast<const uint8_t*>(&in6->sin6_addr));
  }
  ::freeaddrinfo(found);
  return out;
}

}  // namespace

SmtpAlertService::SmtpAlertService(PosixEventLoop& loop, const Supervisor& supervisor,
                                   Duration snapshotInterval,
                                   std::function<std::shared_ptr<const config::Config>()> config)
    : loop_(loop),
      supervisor_(supervisor),
      snapshotInterval_(snapshotInterval),
      config_(std::move(config)),
      transport_(loop),
      mailer_(loop, transport_, {}) {
  timer_ = loop_.createTimer([this] {
    poll();
    timer_->armAfter(snapshotInterval_);
  });
  timer_->armAfter(snapshotInterval_);
}

SmtpAlertService::~SmtpAlertService() = default;

void SmtpAlertService::apply(const config::GlobalDefs& global) {
  enabled_ = false;
  if (!global.smtpServer || global.notificationEmails.empty()) return;
  std::optional<IpAddress> address = resolve(global.smtpServer->host);
  if (!address) {
    log(LogLevel::Error, "smtp alerts off: cannot resolve smtp_server {}", global.smtpServer->host);
    return;
  }
  SmtpMailer::Options options;
  options.address = *address;
  options.port = global.smtpServer->port;
  options.heloName = global.smtpHeloName.empty() ? hostName() : global.smtpHeloName;
  options.timeout = global.smtpConnectTimeout;
  mailer_.setOptions(std::move(options));
  enabled_ = true;
  log(LogLevel::Info, "smtp alerts to {} via {} port {}", global.notificationEmails.size(),
      address->toString(), global.smtpServer->port);
}

std::optional<monitor::SmtpMailStats> SmtpAlertService::mailStats() const {
  if (!enabled_) return std::nullopt;
  const SmtpMailer::Counters& c = mailer_.counters();
  return monitor::SmtpMailStats{c.sent, c.failedBy, c.dropped};
}

void SmtpAlertService::poll() {
  if (!enabled_) return;
  std::shared_ptr<const config::Config> config = config_();
  if (!config) return;
  SharedText vrrpText;
  SharedText checkText;
  for (const WorkerStatus& worker : supervisor_.status()) {
    if (worker.name == "vrrp") vrrpText = worker.lastSnapshot;
    if (worker.name == "check") checkText = worker.lastSnapshot;
  }
  const bool sameConfig = !configRead_.owner_before(config) && !config.owner_before(configRead_);
  // The same texts and configuration as last time: the watcher would find
  // the states it recorded then, so no event.
  if (!read_ || !sameConfig || !vrrpRead_.names(vrrpText) || !checkRead_.names(checkText)) {
    read_ = true;
    vrrpRead_ = vrrpText.mark();
    checkRead_ = checkText.mark();
    configRead_ = config;
    const nlohmann::json vrrp = parsed(vrrpText);
    const nlohmann::json check = parsed(checkText);
    for (const monitor::smtp::AlertEvent& event : watcher_.update(*config, vrrp, check)) {
      mail(*config, event);
    }
  }
  if (mailer_.counters().dropped != reportedDrops_) {
    log(LogLevel::Warning, "smtp alerts: {} mails dropped so far (at most {} wait for the server)",
        mailer_.counters().dropped, SmtpMailer::kMaxQueued);
    reportedDrops_ = mailer_.counters().dropped;
  }
}

nlohmann::json SmtpAlertService::parsed(const SharedText& text) {
  if (text.empty()) return {};  // no snapshot yet (a worker being respawned)
  ++parses_;
  return nlohmann::json::parse(text.str(), nullptr, false);
}

void SmtpAlertService::mail(const config::Config& config, const monitor::smtp::AlertEvent& event) {
  const std::string host = hostName();
  const std::string routerId = config.global.routerId.empty() ? host : config.global.routerId;
  monitor::smtp::MailEnvelope envelope;
  envelope.from = config.global.notificationEmailFrom.empty() ? "vigil@" + host
                                                              : config.global.notificationEmailFrom;
  envelope.to = config.global.notificationEmails;
  const auto now = std::chrono::system_clock::now();
  const std::string messageId =
      std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()) +
      "." + std::to_string(::getpid()) + "." + std::to_string(++messages_) + "@" + host;
  const std::string subject = monitor::smtp::alertSubject(routerId, event);
  log(LogLevel::Info, "smtp alert: {}", subject);
  mailer_.submit(
      {envelope.from, envelope.to,
       monitor::smtp::buildMessage(envelope, subject, monitor::smtp::alertBody(routerId, event),
                                   now, messageId)});
}

}  // namespace vigil::cli
