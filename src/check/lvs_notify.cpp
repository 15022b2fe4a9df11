#include "check/lvs_notify.h"

#include <fmt/format.h>

#include <cctype>

namespace vigil::check {

std::string describeRealServer(const config::VirtualServer& vs, const config::RealServer& rs) {
  std::string protocol(config::toString(vs.protocol));
  for (char& c : protocol) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return fmt::format("[{}]:{}:{}", rs.address.toString(), protocol, rs.port);
}

std::string realServerFifoLine(const config::VirtualServer& vs, const config::RealServer& rs,
                               bool up) {
  return fmt::format("RS {} {} {}", describeRealServer(vs, rs), vs.describe(), up ? "UP" : "DOWN");
}

std::string serviceFifoLine(const config::VirtualServer& vs, bool up) {
  return fmt::format("VS {} {}", vs.describe(), up ? "UP" : "DOWN");
}

LvsNotifier::LvsNotifier(EventLoop& loop, ProcessSpawner* spawner, ScriptPreparer prepare,
                         const config::GlobalDefs& global)
    : loop_(loop),
      prepare_(std::move(prepare)),
      notifyFifo_(global.notifyFifo),
      lvsNotifyFifo_(global.lvsNotifyFifo),
      scripts_(loop, spawner) {}

void LvsNotifier::start(bool startGenericFifoScript) {
  for (const auto* fifo : {&notifyFifo_, &lvsNotifyFifo_}) {
    if (!*fifo || (*fifo)->path.empty()) {
      continue;
    }
    auto writer = std::make_unique<NotifyFifoWriter>((*fifo)->path);
    if (Status created = writer->create(); !created) {
      log(LogLevel::Error, "{}", created.error().describe());
      continue;
    }
    const bool generic = fifo == &notifyFifo_;
    if ((*fifo)->script && (startGenericFifoScript || !generic)) {
      if (auto pid = run(*(*fifo)->script, {(*fifo)->path})) {
        scripts_.keepUntilDestroyed(*pid);
      }
    }
    fifos_.push_back(std::move(writer));
  }
}

namespace {

bool sameScript(const std::optional<config::ScriptCommand>& a,
                const std::optional<config::ScriptCommand>& b) {
  if (!a || !b) return !a && !b;
  return a->command == b->command && a->user == b->user && a->group == b->group;
}

bool sameFifo(const std::optional<config::NotifyFifo>& a,
              const std::optional<config::NotifyFifo>& b) {
  if (!a || !b) return !a && !b;
  return a->path == b->path && a->owner == b->owner && a->group == b->group &&
         sameScript(a->script, b->script);
}

}  // namespace

bool LvsNotifier::sameFifos(const config::GlobalDefs& global) const {
  return sameFifo(notifyFifo_, global.notifyFifo) && sameFifo(lvsNotifyFifo_, global.lvsNotifyFifo);
}

void LvsNotifier::realServer(const config::VirtualServer& vs, const config::RealServer& rs,
                             bool up) {
  const auto& script = up ? rs.notifyUp() : rs.notifyDown();
  if (script) {
    run(*script);
  }
  writeFifos(realServerFifoLine(vs, rs, up));
}

void LvsNotifier::quorum(const config::VirtualServer& vs, bool up) {
  const auto& script = up ? vs.quorumUp : vs.quorumDown;
  if (script) {
    run(*script);
  }
  writeFifos(serviceFifoLine(vs, up));
}

std::optional<pid_t> LvsNotifier::run(const config::ScriptCommand& command,
                                      std::vector<std::string> extraArgs) {
  auto request = prepare_(command);
  if (!request) {
    scripts_.refuse(command.command, request.error());
    return std::nullopt;
  }
  if (!request->argv.empty()) {  // an empty command fails to launch, arguments or not
    for (std::string& arg : extraArgs) {
      request->argv.push_back(std::move(arg));
    }
  }
  return scripts_.launch(std::move(*request), command.command);
}

void LvsNotifier::writeFifos(const std::string& line) {
  for (auto& fifo : fifos_) {
    if (fifo->write(line, loop_.now())) {
      ++fifoLines_;
    }
  }
}

}  // namespace vigil::check
