#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/vigild/smtp_mailer.h"
#include "config/config.h"
#include "core/posix_event_loop.h"
#include "core/shared_text.h"
#include "core/supervisor.h"
#include "monitor/monitor_view.h"
#include "monitor/smtp/smtp_alert_watcher.h"

namespace vigil::cli {

// smtp_alert in the supervisor (doc/smtp-alerts.md). Every snapshot interval
// it diffs the workers' latest snapshots (AlertWatcher) and queues one mail
// per event on an SmtpMailer driven by the supervisor's loop. The supervisor
// and not the VRRP or check worker: their loops keep no mail socket, no name
// lookup and no slow mail server on their timing path, and one queue and one
// connection serve both kinds of event.
class SmtpAlertService {
 public:
  SmtpAlertService(PosixEventLoop& loop, const Supervisor& supervisor, Duration snapshotInterval,
                   std::function<std::shared_ptr<const config::Config>()> config);
  ~SmtpAlertService();

  // Takes smtp_server, smtp_helo_name and smtp_connect_timeout (at start and
  // on reload). Mails go out only with smtp_server and at least one
  // notification_email. A host name is resolved here, once per reload.
  void apply(const config::GlobalDefs& global);

  const SmtpMailer::Counters& counters() const { return mailer_.counters(); }
  // The counters as /metrics shows them; none while mails are off.
  std::optional<monitor::SmtpMailStats> mailStats() const;
  // Snapshot texts parsed into JSON trees so far (for tests): a poll that
  // finds the texts and the configuration it last read parses nothing.
  size_t parses() const { return parses_; }

 private:
  void poll();
  // `text` as a JSON tree; null when empty.
  nlohmann::json parsed(const SharedText& text);
  void mail(const config::Config& config, const monitor::smtp::AlertEvent& event);

  PosixEventLoop& loop_;
  const Supervisor& supervisor_;
  Duration snapshotInterval_;
  std::function<std::shared_ptr<const config::Config>()> config_;
  PosixSmtpTransport transport_;
  SmtpMailer mailer_;
  monitor::smtp::AlertWatcher watcher_;
  std::unique_ptr<Timer> timer_;
  bool enabled_ = false;
  uint64_t reportedDrops_ = 0;
  uint64_t messages_ = 0;
  // What the watcher last read: the texts by object (SharedText::Mark, no
  // copy kept) and the configuration. The check worker's text is megabytes
  // at thousands of real servers; parsing it into a tree every interval
  // while nothing changed was the service's whole cost.
  bool read_ = false;
  SharedText::Mark vrrpRead_;
  SharedText::Mark checkRead_;
  std::weak_ptr<const config::Config> configRead_;
  size_t parses_ = 0;
};

}  // namespace vigil::cli
