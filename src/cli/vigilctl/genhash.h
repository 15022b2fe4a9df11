#pragma once

// `vigilctl genhash`: keepalived's genhash on vigil's HTTP stack. Fetches
// one URL from one server and prints the MD5 digest HTTP_GET / SSL_GET
// compare with url { digest }, so digests made by either tool work in both.
// Options are genhash's: -s SERVER -p PORT -u URL [-S] [-I] [-V VHOST]
// [-P 1.0|1.0c|1.1] [-t SECONDS] [-m FWMARK] [-v].
namespace vigil::cli {

// argv[0] is "genhash". Returns the process exit status: 0 when a response
// arrived (whatever its HTTP status, as genhash does), 1 when none did, 2
// for bad options.
int runGenhash(int argc, char** argv);

}  // namespace vigil::cli
