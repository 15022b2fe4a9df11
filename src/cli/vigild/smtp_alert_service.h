#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/vigild/smtp_mailer.h"
#include "config/config.h"
#include "core/posix_event_loop.h"
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

 private:
  void poll();
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
};

}  // namespace vigil::cli
