#include "vrrp/script_runner_security.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace vigil::vrrp {

std::vector<std::string> splitCommand(std::string_view command) {
  std::vector<std::string> args;
  std::string current;
  bool inWord = false;
  bool quoted = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quoted) {
      if (c == '\'') {
        quoted = false;
      } else {
        current += c;
      }
    } else if (c == '\'') {
      quoted = true;
      inWord = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      current += command[++i];
      inWord = true;
    } else if (c == ' ' || c == '\t') {
      if (inWord) {
        args.push_back(std::move(current));
        current.clear();
        inWord = false;
      }
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) {
    args.push_back(std::move(current));
  }
  return args;
}

Result<RunAs> resolveAccount(const std::string& user, const std::string& group) {
  errno = 0;
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) {
    return Error{errno, "unknown script user '" + user + "'"};
  }
  RunAs runAs{pw->pw_uid, pw->pw_gid};
  if (!group.empty()) {
    errno = 0;
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) {
      return Error{errno, "unknown script group '" + group + "'"};
    }
    runAs.gid = gr->gr_gid;
  }
  return runAs;
}

Result<std::string> resolveExecutable(const std::string& argv0) {
  if (argv0.empty()) {
    return Error{ENOENT, "empty script command"};
  }
  if (argv0.find('/') != std::string::npos) {
    return argv0;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (true) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + argv0;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    dirs.remove_prefix(colon + 1);
  }
  return Error{ENOENT, "script '" + argv0 + "' not found in PATH"};
}

Status checkScriptSecurity(const std::string& path, const RunAs& runAs) {
  if (runAs.uid != 0) {
    return {};  // an unprivileged script can do no more than its user
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  if (ec) {
    return Error{ec.value(), "script '" + path + "'"};
  }
  for (;;) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      return errnoError("script security: stat " + p.string());
    }
    bool groupWritable = (st.st_mode & S_IWGRP) != 0 && st.st_gid != 0;
    if (st.st_uid != 0 || groupWritable || (st.st_mode & S_IWOTH) != 0) {
      return Error{EPERM, "script '" + path + "' would run as root but " + p.string() +
                              " is writable by a non-root user (enable_script_security)"};
    }
    if (p == p.root_path()) {
      return {};
    }
    p = p.parent_path();
  }
}

}  // namespace vigil::vrrp
