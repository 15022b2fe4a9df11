#include "vrrp/script_runner.h"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "vrrp/script_runner_security.h"

namespace vigil::vrrp {

// The account keepalived uses when no script_user is configured.
constexpr const char* kDefaultScriptUser = "keepalived_script";

struct ScriptRunner::Script {
  ScriptSpec spec;
  std::unique_ptr<Timer> timer;
  bool ok = true;
  bool busy = false;
  uint32_t successes = 0;  // consecutive
  uint32_t failures = 0;   // consecutive
  Counters counters;
};

Result<RunAs> scriptAccount(const std::optional<config::ScriptAccount>& own,
                            const config::GlobalDefs& global) {
  if (::geteuid() != 0) {
    return RunAs{::geteuid(), ::getegid()};
  }
  const std::optional<config::ScriptAccount>& chosen = own ? own : global.scriptUser;
  if (chosen) {
    return resolveAccount(chosen->user, chosen->group);
  }
  if (::getpwnam(kDefaultScriptUser) != nullptr) {
    return resolveAccount(kDefaultScriptUser, "");
  }
  return RunAs{0, 0};
}

Result<ScriptSpec> prepareScript(const config::VrrpScript& script,
                                 const config::GlobalDefs& global) {
  auto fail = [&](const Error& e) {
    return Error{e.code, "vrrp_script " + script.name + ": " + e.message};
  };
  ScriptSpec spec;
  spec.name = script.name;
  spec.argv = splitCommand(script.script);
  spec.interval = script.interval;
  spec.timeout = script.timeout.value_or(script.interval);
  spec.rise = std::max<uint32_t>(script.rise, 1);
  spec.fall = std::max<uint32_t>(script.fall, 1);
  spec.initFail = script.initFail;
  if (spec.argv.empty()) {
    return fail(Error{EINVAL, "no script to run"});
  }
  auto account = scriptAccount(script.user, global);
  if (!account) {
    return fail(account.error());
  }
  spec.runAs = *account;
  if (global.enableScriptSecurity) {
    auto path = resolveExecutable(spec.argv[0]);
    if (!path) {
      return fail(path.error());
    }
    if (Status secure = checkScriptSecurity(*path, *account); !secure) {
      return fail(secure.error());
    }
  }
  return spec;
}

PreparedScripts prepareTrackedScripts(const config::VrrpModel& model,
                                      const config::GlobalDefs& global) {
  auto tracked = [&](const std::string& name) {
    auto in = [&](const config::TrackingSet& set) {
      return std::any_of(set.scripts.begin(), set.scripts.end(),
                         [&](const config::TrackRef& r) { return r.name == name; });
    };
    return std::any_of(model.instances.begin(), model.instances.end(),
                       [&](const config::VrrpInstance& i) { return in(i.tracking); }) ||
           std::any_of(model.syncGroups.begin(), model.syncGroups.end(),
                       [&](const config::VrrpSyncGroup& g) { return in(g.tracking); });
  };
  PreparedScripts out;
  for (const auto& script : model.scripts) {
    if (!tracked(script.name)) {
      continue;
    }
    auto spec = prepareScript(script, global);
    if (spec) {
      out.specs.push_back(std::move(*spec));
    } else {
      out.refused.push_back(spec.error());
    }
  }
  return out;
}

ScriptRunner::ScriptRunner(EventLoop& loop, ProcessSpawner& spawner,
                           std::vector<ScriptSpec> scripts, ChangeCallback onChange)
    : loop_(loop), spawner_(spawner), onChange_(std::move(onChange)) {
  for (auto& spec : scripts) {
    auto script = std::make_unique<Script>();
    script->ok = !spec.initFail;
    script->spec = std::move(spec);
    Script* raw = script.get();
    script->timer = loop_.createTimer([this, raw] { tick(*raw); });
    scripts_.push_back(std::move(script));
  }
}

ScriptRunner::~ScriptRunner() { *alive_ = false; }

void ScriptRunner::start() {
  for (auto& script : scripts_) {
    tick(*script);
  }
}

void ScriptRunner::tick(Script& script) {
  script.timer->armAfter(script.spec.interval);
  if (script.busy) {
    ++script.counters.skippedBusy;
    return;
  }
  ++script.counters.runs;
  SpawnRequest request{script.spec.argv, script.spec.timeout, script.spec.runAs};
  std::weak_ptr<bool> alive = alive_;
  auto pid = spawner_.spawn(request, [this, alive, &script](const ChildExit& exit) {
    if (alive.expired()) {
      return;
    }
    bool success = !exit.timedOut && WIFEXITED(exit.status) && WEXITSTATUS(exit.status) == 0;
    finished(script, success, exit.timedOut);
  });
  if (!pid) {
    ++script.counters.spawnErrors;
    spawnLog_.log(loop_.now().time_since_epoch(), LogLevel::Error, "vrrp_script {}: {}",
                  script.spec.name, pid.error().describe());
    finished(script, false, false);
    return;
  }
  script.busy = true;
}

void ScriptRunner::finished(Script& script, bool success, bool timedOut) {
  script.busy = false;
  if (timedOut) {
    ++script.counters.timeouts;
    log(LogLevel::Warning, "vrrp_script {} timed out after {} ms", script.spec.name,
        std::chrono::duration_cast<std::chrono::milliseconds>(script.spec.timeout).count());
  }
  if (success) {
    script.failures = 0;
    ++script.successes;
  } else {
    ++script.counters.failures;
    script.successes = 0;
    ++script.failures;
  }
  bool flip =
      script.ok ? script.failures >= script.spec.fall : script.successes >= script.spec.rise;
  if (!flip) {
    return;
  }
  script.ok = !script.ok;
  log(LogLevel::Info, "vrrp_script {} now {}", script.spec.name, script.ok ? "OK" : "KO");
  if (onChange_) {
    onChange_(script.spec.name, script.ok);
  }
}

std::optional<bool> ScriptRunner::status(const std::string& name) const {
  for (const auto& s : scripts_) {
    if (s->spec.name == name) {
      return s->ok;
    }
  }
  return std::nullopt;
}

std::optional<ScriptRunner::Counters> ScriptRunner::counters(const std::string& name) const {
  for (const auto& s : scripts_) {
    if (s->spec.name == name) {
      return s->counters;
    }
  }
  return std::nullopt;
}

bool ScriptRunner::running(const std::string& name) const {
  for (const auto& s : scripts_) {
    if (s->spec.name == name) {
      return s->busy;
    }
  }
  return false;
}

}  // namespace vigil::vrrp
