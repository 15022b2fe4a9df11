#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_command.h"

// Pieces two-director integration tests (FailoverMetricsTest,
// SnmpTrapsTest) share: a real server to check and the command line that
// lets two vigilds run side by side from one scratch directory.
namespace vigil::test {

// A python3 script for a TCP real server on address:port that accepts and
// closes every connection (enough for TCP_CHECK).
inline std::string acceptingServerScript(const std::string& address, int port) {
  return "import socket\n"
         "s = socket.socket()\n"
         "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
         "s.bind(('" +
         address + "', " + std::to_string(port) +
         "))\n"
         "s.listen(64)\n"
         "while True:\n"
         "    s.accept()[0].close()\n";
}

// vigild in the foreground logging to the console, reading DIR/NAME.conf,
// with its own pid files in `dir` (DIR/NAME.pid, NAME-vrrp.pid,
// NAME-check.pid) and no control socket (two directors would share its
// default path).
inline std::vector<std::string> directorArgs(const std::filesystem::path& dir,
                                             const std::string& name) {
  auto path = [&dir](const std::string& file) { return (dir / file).string(); };
  return {vigild(),
          "-n",
          "-l",
          "--control-socket",
          "off",
          "-f",
          path(name + ".conf"),
          "-p",
          path(name + ".pid"),
          "-r",
          path(name + "-vrrp.pid"),
          "-c",
          path(name + "-check.pid")};
}

}  // namespace vigil::test
