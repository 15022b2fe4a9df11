#include "cli/vigild/options.h"

#include <unistd.h>

#include <charconv>
#include <functional>
#include <map>

namespace vigil::cli {
namespace {

constexpr const char* kVigilConfig = "/etc/vigil/vigil.conf";
constexpr const char* kKeepalivedConfig = "/etc/keepalived/keepalived.conf";

struct Flag {
  const char* shortName;  // "" when there is none
  const char* longName;
  bool takesValue;
  std::function<Result<void>(Options&, const std::string&)> apply;
};

Result<void> setTrue(bool Options::*field, Options& o) {
  o.*field = true;
  return {};
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> kFlags = {
      {"f", "use-file", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.configFile = v;
         return {};
       }},
      {"t", "config-test", false,
       [](Options& o, auto&) { return setTrue(&Options::configTest, o); }},
      {"", "dump-config", false,
       [](Options& o, auto&) { return setTrue(&Options::dumpConfig, o); }},
      {"", "strict-config", false,
       [](Options& o, auto&) { return setTrue(&Options::strictConfig, o); }},
      {"n", "dont-fork", false, [](Options& o, auto&) { return setTrue(&Options::dontFork, o); }},
      {"l", "log-console", false,
       [](Options& o, auto&) { return setTrue(&Options::logConsole, o); }},
      {"D", "log-detail", false, [](Options& o, auto&) { return setTrue(&Options::logDetail, o); }},
      {"P", "vrrp", false, [](Options& o, auto&) { return setTrue(&Options::vrrpOnly, o); }},
      {"C", "check", false, [](Options& o, auto&) { return setTrue(&Options::checkOnly, o); }},
      {"", "single-process", false,
       [](Options& o, auto&) { return setTrue(&Options::singleProcess, o); }},
      {"i", "config-id", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.configId = v;
         return {};
       }},
      {"p", "pid", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.pidFile = v;
         return {};
       }},
      {"r", "vrrp_pid", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.vrrpPidFile = v;
         return {};
       }},
      {"c", "checkers_pid", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.checkPidFile = v;
         return {};
       }},
      {"S", "log-facility", true,
       [](Options& o, const std::string& v) -> Result<void> {
         int n = -1;
         auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
         if (ec != std::errc() || end != v.data() + v.size() || n < 0 || n > 7) {
           return Error{0, "-S/--log-facility takes 0-7 (LOG_LOCAL0-7), got '" + v + "'"};
         }
         o.syslogFacility = n;
         return {};
       }},
      {"", "control-socket", true,
       [](Options& o, const std::string& v) -> Result<void> {
         o.controlSocket = v;
         return {};
       }},
      {"h", "help", false, [](Options& o, auto&) { return setTrue(&Options::showHelp, o); }},
      {"v", "version", false, [](Options& o, auto&) { return setTrue(&Options::showVersion, o); }},
  };
  return kFlags;
}

// keepalived flags that make no sense for vigil or are not implemented; a
// unit file carrying them still starts.
const std::map<std::string, bool>& ignoredFlags() {
  // name -> takes a value
  static const std::map<std::string, bool> kIgnored = {{"G", false},
                                                       {"no-syslog", false},
                                                       {"x", false},
                                                       {"snmp", false},
                                                       {"m", false},
                                                       {"core-dump", false},
                                                       {"R", false},
                                                       {"dont-respawn", false},
                                                       {"a", false},
                                                       {"address-monitoring", false},
                                                       {"d", false},
                                                       {"dump-conf", false},
                                                       {"V", false},
                                                       {"dont-release-vrrp", false},
                                                       {"I", false},
                                                       {"dont-release-ipvs", false},
                                                       {"B", false},
                                                       {"no-bfd", false},
                                                       {"u", true},
                                                       {"umask", true},
                                                       {"s", true},
                                                       {"namespace", true},
                                                       {"g", true},
                                                       {"log-file", true},
                                                       {"flush-log-file", false}};
  return kIgnored;
}

const Flag* findFlag(const std::string& name, bool isLong) {
  for (const Flag& f : flags()) {
    if (name == (isLong ? f.longName : f.shortName)) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

Result<Options> parseOptions(const std::vector<std::string>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return Error{0, "unexpected argument '" + arg + "' (see --help)"};
    }
    bool isLong = arg[1] == '-';
    std::string name = isLong ? arg.substr(2) : arg.substr(1, 1);
    std::optional<std::string> value;
    if (isLong) {
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else if (arg.size() > 2) {
      value = arg.substr(2);  // -fFILE
    }
    const Flag* flag = findFlag(name, isLong);
    if (flag == nullptr) {
      auto ignored = ignoredFlags().find(name);
      if (ignored == ignoredFlags().end()) {
        return Error{0, "unknown option '" + arg + "' (see --help)"};
      }
      if (ignored->second && !value && i + 1 < args.size()) {
        ++i;
      }
      options.ignored.push_back(arg);
      continue;
    }
    if (flag->takesValue && !value) {
      if (i + 1 >= args.size()) {
        return Error{0, "option '" + arg + "' needs a value"};
      }
      value = args[++i];
    } else if (!flag->takesValue && value) {
      // "-t" style flags written as "-tn" are not combined; reject clearly.
      return Error{0, "option '" + arg + "' does not take a value"};
    }
    if (auto applied = flag->apply(options, value.value_or("")); !applied) {
      return applied.error();
    }
  }
  if (options.vrrpOnly && options.checkOnly) {
    return Error{0, "-P/--vrrp and -C/--check together: give at most one"};
  }
  return options;
}

std::string defaultConfigFile() {
  if (access(kVigilConfig, F_OK) == 0) {
    return kVigilConfig;
  }
  return kKeepalivedConfig;
}

std::string defaultConfigId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    return "";
  }
  std::string id(host);
  return id.substr(0, id.find('.'));
}

std::string usage() {
  return R"(Usage: vigild [OPTIONS]
  -f, --use-file=FILE      configuration file (default /etc/vigil/vigil.conf, else
                           /etc/keepalived/keepalived.conf)
  -t, --config-test        check the configuration and exit: 0 valid, 4 errors,
                           3 cannot run (e.g. unreadable file)
      --dump-config        print the normalised configuration as JSON and exit
      --strict-config      unknown keywords are errors, not warnings
  -i, --config-id=ID       select @ID conditional lines (default: short hostname)
  -n, --dont-fork          stay in the foreground
  -l, --log-console        log to stderr
  -D, --log-detail         debug logging
  -S, --log-facility=N     syslog facility LOG_LOCALN (0-7)
  -P, --vrrp               run only the VRRP worker
  -C, --check              run only the check worker
      --single-process     run every part in one process (debugging)
  -p, --pid=FILE           supervisor pid file
  -r, --vrrp_pid=FILE      VRRP worker pid file
  -c, --checkers_pid=FILE  check worker pid file
      --control-socket=PATH
                           vigilctl's unix socket, or off (default: $VIGIL_CONTROL_SOCKET,
                           else global_defs control_socket, else /run/vigil/vigild.sock)
  -v, --version            print the version
  -h, --help               this text
)";
}

LogSettings logSettingsFor(const Options& options) {
  LogSettings s;
  s.threshold = options.logDetail ? LogLevel::Debug : LogLevel::Info;
  if (options.logConsole || options.configTest || options.dumpConfig) {
    s.sink = detectStderrSink();
  } else if (options.dontFork) {
    s.sink = detectStderrSink();
  } else {
    s.sink = LogSink::Syslog;
  }
  if (options.syslogFacility) {
    s.syslogFacility = (16 + *options.syslogFacility) << 3;  // LOG_LOCAL0 + N
  }
  return s;
}

}  // namespace vigil::cli
