#include "check/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace vigil::check {

Status closeAbortively(int fd) {
  linger abortive{};
  abortive.l_onoff = 1;
  abortive.l_linger = 0;
  if (::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive)) != 0) {
    return errnoError("setsockopt(SO_LINGER)");
  }
  return {};
}

Status deferHandshakeAck(int fd) {
  int quickAck = 0;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quickAck, sizeof(quickAck)) != 0) {
    return errnoError("setsockopt(TCP_QUICKACK)");
  }
  return {};
}

Status withholdFinalAck(int fd) {
  int seconds = 1;  // any non-zero value; a connecting socket never waits on it
  if (::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof(seconds)) != 0) {
    return errnoError("setsockopt(TCP_DEFER_ACCEPT)");
  }
  return {};
}

}  // namespace vigil::check
