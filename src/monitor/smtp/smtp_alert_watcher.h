#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "monitor/smtp/smtp_alert_message.h"

namespace vigil::monitor::smtp {

// Turns consecutive worker snapshots into the events smtp_alert mails
// about. The supervisor sees every snapshot (at most one snapshot interval
// old), so it can mail without the VRRP worker doing any I/O for it; the
// price is that a flap shorter than the interval is not seen.
//
// - VRRP instance / sync group with smtp_alert on: every state it enters,
//   including the first one seen after start (as keepalived mails entering
//   BACKUP or MASTER at start-up); INIT is not mailed, FAULT not with
//   no_email_faults.
// - Real server with smtp_alert on: UP <-> DOWN changes (not the first state
//   seen: a start is not a change).
// - A checker of such a real server: passes <-> fails changes that leave
//   the real server's own state as it was (another checker still fails),
//   unless global_defs no_checker_emails (keepalived: then mail only when
//   a real server is added to or removed from its service).
// - Virtual server with smtp_alert on: quorum met <-> lost changes.
//
// Snapshots that are missing (a worker being respawned) change nothing: the
// last known state stays, so a state that survived a respawn is not mailed
// twice.
class AlertWatcher {
 public:
  std::vector<AlertEvent> update(const config::Config& config, const nlohmann::json& vrrpSnapshot,
                                 const nlohmann::json& checkSnapshot);

 private:
  void vrrp(const config::Config& config, const nlohmann::json& snapshot,
            std::vector<AlertEvent>& out);
  void checks(const config::Config& config, const nlohmann::json& snapshot,
              std::vector<AlertEvent>& out);
  // Records each checker's "up"; events when `alert`.
  void noteCheckers(const std::string& service, const std::string& server, const nlohmann::json& rs,
                    bool alert, std::vector<AlertEvent>& out);

  std::map<std::string, std::string> instances_;  // name -> last state seen
  std::map<std::string, std::string> groups_;
  std::map<std::string, bool> realServers_;  // "service|ADDRESS:PORT" -> up
  std::map<std::string, bool> quorums_;      // service -> quorum up
  // "service|ADDRESS:PORT" -> "TYPE|id#n" (the worker's checker id, n-th
  // of that id on the server) -> up
  std::map<std::string, std::map<std::string, bool>> checkers_;
};

}  // namespace vigil::monitor::smtp
