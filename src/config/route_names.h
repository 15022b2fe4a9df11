#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The names iproute2 gives routing tables (`table NAME`) and realms
// (`realms NAME`), read from the files `ip` reads, so a configuration names
// what `ip route show table NAME` would. `vigild -t` and every load look
// them up on the host they run on: a name another host defines is an error
// here too.
namespace vigil::config {

// One names database (tables or realms): the first definition of a name
// wins, and `searched` says where the names came from, for messages.
class RouteNameTable {
 public:
  // Adds the "ID NAME" lines of one file's `text` (ID decimal or 0x hex;
  // blank lines and lines starting with '#' skipped; anything after NAME
  // ignored). Like iproute2, a line that is not "ID NAME" ends the file:
  // the names after it are not read, and "PATH:LINE" goes to corrupt().
  void addFile(std::string_view text, std::string_view path = {});
  // The id of `name`, nullopt when no file defines it.
  std::optional<uint32_t> find(std::string_view name) const;
  // The lines that ended their file, "PATH:LINE", in reading order.
  const std::vector<std::string>& corrupt() const { return corrupt_; }
  // Where the names come from and, if a file ended early, where: the tail
  // of "... is not named in WHERE".
  std::string where() const;

  std::string searched;  // "/etc/iproute2/rt_tables, ..."

 private:
  std::map<std::string, uint32_t, std::less<>> ids_;
  std::vector<std::string> corrupt_;
};

struct RouteNames {
  RouteNameTable tables;  // rt_tables
  RouteNameTable realms;  // rt_realms

  // A routing table's id: main (254), local (255), default (253), a number
  // (decimal or 0x) or a name of `tables`; nullopt otherwise. Empty is main.
  std::optional<uint32_t> tableId(std::string_view name) const;
  // A realm: a number 0-65535 or a name of `realms`; nullopt otherwise.
  std::optional<uint32_t> realmId(std::string_view name) const;
};

// Where iproute2 keeps its names databases: the administrator's copy and
// the distribution's (iproute2 6.5 and later fall back to it).
struct RouteNameDirs {
  std::string etc = "/etc/iproute2";
  std::string usr = "/usr/share/iproute2";
};

// The files iproute2 reads for `base` ("rt_tables", "rt_realms"), in
// order: ETC/BASE, or USR/BASE when that is missing (`etcFileExists`
// false), then the *.conf files of USR/BASE.d and ETC/BASE.d (`usrDir`,
// `etcDir`: the directories' file names), each directory's in name order
// (iproute2 reads them in directory order, which only matters for a name
// defined twice).
std::vector<std::string> routeNameFiles(std::string_view base, bool etcFileExists,
                                        std::vector<std::string> usrDir,
                                        std::vector<std::string> etcDir,
                                        const RouteNameDirs& dirs = {});

// The names of the files under `dirs` (those missing are skipped): the
// tables of rt_tables and rt_tables.d, the realms of rt_realms and
// rt_realms.d (iproute2 6.1, Debian 12's, reads no rt_realms.d; reading it
// too only accepts more names).
RouteNames readRouteNames(const RouteNameDirs& dirs);
// This host's: readRouteNames({}).
RouteNames systemRouteNames();

}  // namespace vigil::config
