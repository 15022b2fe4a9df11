#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model_global.h"
#include "config/model_vrrp.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "core/process_spawner.h"
#include "core/result.h"

namespace vigil::vrrp {

// A vrrp_script ready to run: argv split, account and path checked.
struct ScriptSpec {
  std::string name;
  std::vector<std::string> argv;
  Duration interval = std::chrono::seconds(1);
  Duration timeout = std::chrono::seconds(1);  // a run still going after it is a failure
  uint32_t rise = 1;                           // consecutive successes to become OK
  uint32_t fall = 1;                           // consecutive failures to become KO
  bool initFail = false;                       // start KO rather than OK
  std::optional<RunAs> runAs;                  // unset: our own account
};

// The account a script runs as: its own `user`, else global script_user,
// else keepalived_script when that user exists, else root. When vigil is
// not root, scripts simply run as vigil's user (nothing to switch to).
Result<RunAs> scriptAccount(const std::optional<config::ScriptAccount>& own,
                            const config::GlobalDefs& global);

// Splits the command, resolves the account and, with
// enable_script_security, refuses a root script others can modify. The
// error names the script and the reason, for the operator's log.
Result<ScriptSpec> prepareScript(const config::VrrpScript& script,
                                 const config::GlobalDefs& global);

// Every vrrp_script some instance or sync group tracks, prepared (as
// keepalived, an untracked script is never run). Scripts that cannot be
// prepared are left out and returned as errors for the log.
struct PreparedScripts {
  std::vector<ScriptSpec> specs;
  std::vector<Error> refused;
};
PreparedScripts prepareTrackedScripts(const config::VrrpModel& model,
                                      const config::GlobalDefs& global);

// Runs each vrrp_script every `interval` on the loop, never blocking it and
// never running the same script twice at once (a tick that finds the last
// run still going is skipped and counted). Exit status 0 is success;
// anything else, a signal, a timeout or a failure to start is a failure.
// The rise/fall-filtered status is reported through `onChange` only when it
// flips. The first run of every script starts at start().
class ScriptRunner {
 public:
  using ChangeCallback = std::function<void(const std::string& name, bool ok)>;

  struct Counters {
    uint64_t runs = 0;
    uint64_t failures = 0;  // runs that failed, timeouts included
    uint64_t timeouts = 0;
    uint64_t spawnErrors = 0;
    uint64_t skippedBusy = 0;  // ticks that found the previous run still going
  };

  ScriptRunner(EventLoop& loop, ProcessSpawner& spawner, std::vector<ScriptSpec> scripts,
               ChangeCallback onChange);
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  void start();
  // Whether the named script is OK now (nullopt for an unknown name).
  std::optional<bool> status(const std::string& name) const;
  std::optional<Counters> counters(const std::string& name) const;
  bool running(const std::string& name) const;

 private:
  struct Script;

  void tick(Script& script);
  void finished(Script& script, bool success, bool timedOut);

  EventLoop& loop_;
  ProcessSpawner& spawner_;
  ChangeCallback onChange_;
  std::vector<std::unique_ptr<Script>> scripts_;
  // Children outlive nothing: a callback arriving after destruction sees
  // this flag gone and does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  RateLimitedLog spawnLog_{5, std::chrono::seconds(60)};
};

}  // namespace vigil::vrrp
