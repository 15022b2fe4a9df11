/* check_ipvs_shim.c -- LD_PRELOAD library for the checker benchmarks ONLY.
 *
 * Why: the benchmark kernel may have no IPVS, and keepalived's checker process
 * then exits at start. keepalived falls back to the legacy IPVS socket options
 * (level IPPROTO_IP, option numbers IP_VS_BASE_CTL..) when the generic-netlink
 * family is absent; this library claims success for those options and appends
 * one line per "set" command to $CHECK_SHIM_LOG:
 *     <epoch seconds.microseconds> <COMMAND> rs=<address>:<port>
 * which is when keepalived would have changed the kernel table. Nothing
 * reaches the kernel; every other socket option is passed through.
 *
 * Built by tests/bench/lib/check_bench.py into the run's work directory:
 *     cc -O2 -shared -fPIC -o shim.so check_ipvs_shim.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef int (*SetFn)(int, int, int, const void *, socklen_t);
typedef int (*GetFn)(int, int, int, void *, socklen_t *);

static int isIpvsOption(int level, int name) {
  return level == IPPROTO_IP && name >= IP_VS_BASE_CTL && name < IP_VS_BASE_CTL + 128;
}

static const char *commandName(int name) {
  switch (name) {
    case IP_VS_SO_SET_ADD: return "ADD";
    case IP_VS_SO_SET_EDIT: return "EDIT";
    case IP_VS_SO_SET_DEL: return "DEL";
    case IP_VS_SO_SET_FLUSH: return "FLUSH";
    case IP_VS_SO_SET_ADDDEST: return "ADDDEST";
    case IP_VS_SO_SET_DELDEST: return "DELDEST";
    case IP_VS_SO_SET_EDITDEST: return "EDITDEST";
    default: return "OTHER";
  }
}

/* One write(2) per record on an O_APPEND descriptor: lines never interleave. */
static void record(int name, const void *value, socklen_t length) {
  const char *path = getenv("CHECK_SHIM_LOG");
  if (path == NULL) return;
  char dest[INET_ADDRSTRLEN] = "-";
  unsigned port = 0;
  if (value != NULL && length >= sizeof(struct ip_vs_service_user) + sizeof(struct ip_vs_dest_user)) {
    const struct ip_vs_dest_user *d =
        (const struct ip_vs_dest_user *)((const char *)value + sizeof(struct ip_vs_service_user));
    inet_ntop(AF_INET, &d->addr, dest, sizeof dest);
    port = ntohs(d->port);
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char line[160];
  int n = snprintf(line, sizeof line, "%lld.%06ld %s rs=%s:%u\n", (long long)now.tv_sec,
                   now.tv_nsec / 1000, commandName(name), dest, port);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) < 0) { /* measurement aid: nothing to do */ }
  close(fd);
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  static SetFn next;
  if (next == NULL) next = (SetFn)dlsym(RTLD_NEXT, "setsockopt");
  if (!isIpvsOption(level, name)) return next(fd, level, name, value, length);
  record(name, value, length);
  return 0;
}

/* Answers as an empty IPVS table of a plausible version. */
int getsockopt(int fd, int level, int name, void *value, socklen_t *length) {
  static GetFn next;
  if (next == NULL) next = (GetFn)dlsym(RTLD_NEXT, "getsockopt");
  if (!isIpvsOption(level, name)) return next(fd, level, name, value, length);
  if (value == NULL || length == NULL) return 0;
  memset(value, 0, *length);
  if (name == IP_VS_SO_GET_VERSION) {
    snprintf((char *)value, *length, "IP Virtual Server version 1.2.1 (size=4096)");
  } else if (name == IP_VS_SO_GET_INFO && *length >= sizeof(struct ip_vs_getinfo)) {
    struct ip_vs_getinfo *info = (struct ip_vs_getinfo *)value;
    info->version = 0x010201;
    info->size = 4096;
  }
  return 0;
}
