#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model_global.h"
#include "config/model_lvs.h"
#include "config/model_vrrp.h"
#include "config/source.h"

namespace vigil::config {

// The whole validated configuration. Built once by loadConfig and shared
// read-only (std::shared_ptr<const Config>) by the supervisor and workers; a
// reload builds a new one and diffs.
struct Config {
  std::string path;  // the file given with -f
  GlobalDefs global;
  VrrpModel vrrp;
  LvsModel lvs;
  // Keeps the file names that every SourcePos in the model points at.
  std::shared_ptr<SourceSet> sources;
};

}  // namespace vigil::config
