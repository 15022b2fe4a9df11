#pragma once

#include <optional>
#include <set>
#include <string>

#include "core/result.h"
#include "ipvs/model.h"

namespace vigil::check {

// The IPVS services vigil created and owns, configured or not (a reload
// may have dropped one, or a stop could not delete it), that may be in the
// kernel: kept in a small file so that a check worker started afresh (a
// restart after a crash or an OOM kill, or the next vigild, perhaps with a
// configuration that no longer names some of them) still owns them and
// deletes the unconfigured ones, instead of taking them for an operator's
// service and leaving them forever (DataplaneSync). A recorded service the
// configuration still names is simply owned.
//
// One service per line, "FAMILY PROTOCOL ADDRESS PORT FWMARK" with
// FAMILY 4 or 6, PROTOCOL TCP/UDP/SCTP or "-" and ADDRESS "-" for a fwmark
// service; an empty set removes the file.
class OwnedServicesFile {
 public:
  explicit OwnedServicesFile(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  // The services the file lists; none when it is missing. A line that
  // does not parse is logged as a warning and skipped; the rest still load.
  Result<std::set<ipvs::ServiceKey>> load() const;
  // Replaces the file atomically (writeFileAtomically); an empty set
  // removes it.
  Status save(const std::set<ipvs::ServiceKey>& keys) const;

 private:
  std::string path_;
};

// The file for the kernel table of the calling process's network namespace
// (the table is per namespace, and two directors in two namespaces share
// /run): kOwnedServicesDirectory/ipvs-owned.<namespace inode>, the directory created
// when missing. Empty when the namespace cannot be named.
inline constexpr const char* kOwnedServicesDirectory = "/run/vigil";
std::string ownedServicesPathForThisNamespace();

// The line format above, one service.
std::string ownedServiceLine(const ipvs::ServiceKey& key);
std::optional<ipvs::ServiceKey> parseOwnedServiceLine(const std::string& line);

}  // namespace vigil::check
