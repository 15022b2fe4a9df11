#pragma once

#include "core/result.h"

// Socket options the connection-per-check probes share. A check opens a TCP
// connection, learns what it needs and drops it, and in the lab (and on a
// director whose real servers are local containers) the kernel work of
// every packet either side sends is paid on the director's CPU; so these
// trim the packets a check costs, not what the check observes.
namespace vigil::check {

// SO_LINGER with a zero timeout: close(2) sends a RST instead of a FIN, so
// neither side keeps a TIME_WAIT socket (a check per second per real server
// would hold 60 per server for the 60 s TIME_WAIT lasts) and the FIN/ACK
// exchange is skipped. The real server sees its connection reset instead of
// closed. Set it before connecting:
// every later close of the socket is abortive.
Status closeAbortively(int fd);

// TCP_QUICKACK off before connect: the kernel holds the handshake's final
// ACK back (as it does for a socket with data waiting), so it rides on the
// request the client sends right after connecting instead of being a
// packet of its own. One packet fewer per check; nothing changes when the
// client has nothing to send (the delayed ACK leaves within 40-200 ms).
Status deferHandshakeAck(int fd);

// Makes the kernel hold back the final ACK of `fd`'s next handshakes: with
// TCP_DEFER_ACCEPT set on a connecting socket, Linux completes the connect
// on the SYN-ACK (EPOLLOUT, SO_ERROR 0) but only schedules the ACK, as a
// delayed ACK (at most 200 ms) that data would have carried. A probe that
// resets the connection at once sends the RST first, and the ACK never
// leaves; a loop turn slower than the delay lets it out, and the check is
// then simply a full handshake. Unlike TCP_QUICKACK 0 (deferHandshakeAck),
// the option survives a disconnect (connect(AF_UNSPEC)), so a pooled socket
// (TcpSocketPool) is set once. An error when setsockopt fails (the checks
// then send the ACK; verdicts are alike).
Status withholdFinalAck(int fd);

}  // namespace vigil::check
