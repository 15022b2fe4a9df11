#include "vrrp/notify.h"

#include <fmt/format.h>

#include "vrrp/script_runner.h"
#include "vrrp/script_runner_security.h"

namespace vigil::vrrp {
namespace {

const std::optional<config::ScriptCommand>& specificScript(const config::NotifyScripts& n,
                                                           NotifyState state) {
  switch (state) {
    case NotifyState::Master:
      return n.master;
    case NotifyState::Backup:
      return n.backup;
    case NotifyState::Fault:
      return n.fault;
    case NotifyState::Stop:
      return n.stop;
    case NotifyState::Deleted:
      return n.deletedScript;
    case NotifyState::MasterRxLowerPri:
      return n.masterRxLowerPri;
  }
  return n.master;
}

std::optional<config::ScriptAccount> accountOf(const config::ScriptCommand& command) {
  if (command.user.empty()) {
    return std::nullopt;
  }
  return config::ScriptAccount{command.user, command.group, command.pos};
}

}  // namespace

std::string_view notifyStateName(NotifyState state) {
  switch (state) {
    case NotifyState::Master:
      return "MASTER";
    case NotifyState::Backup:
      return "BACKUP";
    case NotifyState::Fault:
      return "FAULT";
    case NotifyState::Stop:
      return "STOP";
    case NotifyState::Deleted:
      return "DELETED";
    case NotifyState::MasterRxLowerPri:
      return "MASTER_RX_LOWER_PRI";
  }
  return "UNKNOWN";
}

std::string instanceFifoLine(std::string_view instance, NotifyState state, uint8_t priority) {
  return fmt::format("INSTANCE \"{}\" {} {}", instance, notifyStateName(state), priority);
}

std::string groupFifoLine(std::string_view group, NotifyState state) {
  return fmt::format("GROUP \"{}\" {}", group, notifyStateName(state));
}

std::vector<std::string> notifyArgv(const config::ScriptCommand& command) {
  return splitCommand(command.command);
}

std::vector<std::string> genericNotifyArgv(const config::ScriptCommand& command, bool group,
                                           std::string_view name, NotifyState state,
                                           uint8_t priority) {
  std::vector<std::string> argv = notifyArgv(command);
  argv.emplace_back(group ? "GROUP" : "INSTANCE");
  argv.emplace_back(name);
  argv.emplace_back(notifyStateName(state));
  argv.push_back(std::to_string(priority));
  return argv;
}

Notifier::Notifier(EventLoop& loop, ProcessSpawner& spawner, const config::GlobalDefs& global)
    : loop_(loop), global_(global), scripts_(loop, &spawner) {}

void Notifier::start() {
  for (const auto* fifo : {&global_.notifyFifo, &global_.vrrpNotifyFifo}) {
    if (!*fifo || (*fifo)->path.empty()) {
      continue;
    }
    auto writer = std::make_unique<NotifyFifoWriter>((*fifo)->path);
    if (Status created = writer->create(); !created) {
      log(LogLevel::Error, "{}", created.error().describe());
      continue;
    }
    if ((*fifo)->script) {
      std::vector<std::string> argv = notifyArgv(*(*fifo)->script);
      argv.push_back((*fifo)->path);
      if (auto pid = run(*(*fifo)->script, std::move(argv))) {
        scripts_.keepUntilDestroyed(*pid);
      }
    }
    fifos_.push_back(std::move(writer));
  }
}

void Notifier::instance(const config::VrrpInstance& instance, NotifyState state, uint8_t priority) {
  if (state == NotifyState::Deleted && !instance.notify.deleted) {
    state = NotifyState::Fault;
  }
  if (const auto& script = specificScript(instance.notify, state)) {
    run(*script, notifyArgv(*script));
  }
  if (instance.notify.any && state != NotifyState::MasterRxLowerPri) {
    run(*instance.notify.any,
        genericNotifyArgv(*instance.notify.any, false, instance.name, state, priority));
  }
  writeFifos(instanceFifoLine(instance.name, state, priority));
}

void Notifier::group(const config::VrrpSyncGroup& group, NotifyState state) {
  if (const auto& script = specificScript(group.notify, state)) {
    run(*script, notifyArgv(*script));
  }
  if (group.notify.any) {
    run(*group.notify.any, genericNotifyArgv(*group.notify.any, true, group.name, state, 0));
  }
  writeFifos(groupFifoLine(group.name, state));
}

void Notifier::priorityChanged(const config::VrrpInstance& instance, NotifyState state,
                               uint8_t priority) {
  if (!instance.notifyPriorityChanges ||
      (state != NotifyState::Master && state != NotifyState::Backup)) {
    return;
  }
  writeFifos(fmt::format("INSTANCE \"{}\" {}_PRIORITY {}", instance.name, notifyStateName(state),
                         priority));
}

std::optional<pid_t> Notifier::run(const config::ScriptCommand& command,
                                   std::vector<std::string> argv) {
  if (argv.empty()) {
    return std::nullopt;
  }
  auto account = scriptAccount(accountOf(command), global_);
  Status allowed = account ? Status{} : Status{account.error()};
  if (allowed && global_.enableScriptSecurity) {
    auto path = resolveExecutable(argv[0]);
    allowed = path ? checkScriptSecurity(*path, *account) : Status{path.error()};
  }
  if (!allowed) {
    scripts_.refuse(command.command, allowed.error());
    return std::nullopt;
  }
  return scripts_.launch(SpawnRequest{std::move(argv), std::nullopt, *account}, command.command);
}

void Notifier::writeFifos(const std::string& line) {
  for (auto& fifo : fifos_) {
    fifo->write(line, loop_.now());
  }
}

}  // namespace vigil::vrrp
