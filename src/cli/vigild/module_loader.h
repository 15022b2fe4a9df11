#pragma once

#include <string>
#include <vector>

#include "core/result.h"

// vigild keeps the code that needs a large library chain in loadable modules
// built with it (vigil-http.so: libcurl; vigil-snmp.so: net-snmp), which only
// the process that needs one loads, and only when its configuration does.
// vigild itself links neither chain (-Wl,--as-needed, CMakeLists.txt), so a
// process that never loads a module never maps its libraries. A module is
// C++ compiled against vigild's own classes and calls vigild's own code
// (exported to it: src/cli/vigild_exports.list), so it must come from the
// same build: each exports that build's id, and vigild refuses any other.
namespace vigil::cli {

// One module: its file name and the two C (unmangled) symbols it exports.
struct ModuleSpec {
  const char* file;         // e.g. "vigil-http.so"
  const char* buildSymbol;  // a NUL-terminated string: the build id
  const char* entrySymbol;  // the function that makes the module's object
};

// Where `file` is looked for, in order, for a vigild at `executable`: beside
// it (a build tree: build/bin/), then in ../lib/vigil/ (an install:
// /usr/sbin/vigild, /usr/lib/vigil/vigil-http.so).
std::vector<std::string> moduleCandidates(const std::string& executable, const std::string& file);

// This vigild's build id (VIGIL_MODULE_BUILD, one per configure), which
// every module's build symbol must equal.
const char* moduleBuild();

// Refuses `module` at `path` unless `build` (what its build symbol holds;
// null: it exports none) is moduleBuild(); the error names the path and both
// ids.
Status checkModuleBuild(const ModuleSpec& module, const std::string& path, const char* build);

// Loads `module` from the first candidate for /proc/self/exe that exists,
// checks its build id and returns the address of its entry, for the caller
// to cast to the entry's type; or an error naming the path (and what the
// dynamic linker said, or the build ids that differ) or every path tried.
// A loaded module is never unloaded: the objects it makes, and its
// libraries' global state, live as long as the process. Nor is a refused
// one (its constructors, and its libraries', already ran): it stays mapped,
// unused, and the caller does not ask for it again.
Result<void*> loadModuleEntry(const ModuleSpec& module);

// loadModuleEntry's second half: dlopen()s `path` itself and checks it.
Result<void*> loadModuleAt(const ModuleSpec& module, const std::string& path);

}  // namespace vigil::cli
