/* Runs the test suite with the wall clock moved, to show that no test depends on today's date:
 *
 *   gcc -O2 -shared -fPIC -o /tmp/libtimeshift.so test/timeshift/timeshift.c
 *   LD_PRELOAD=/tmp/libtimeshift.so TIMESHIFT_SECONDS=31536000 npm test      # a year (365 days) ahead
 *
 * Every process of the stack inherits it: node (vitest, the libSQL dev server, the dev mailbox), workerd and
 * Chromium. Debian's libfaketime moves node and Chromium but deadlocks workerd at start-up: its lazy dlsym()
 * allocates inside workerd's tcmalloc while tcmalloc holds its lock to read the clock.
 *
 * A minimal LD_PRELOAD time shift for the wall clock only: CLOCK_REALTIME, gettimeofday and time() are moved
 * by TIMESHIFT_SECONDS; monotonic clocks are untouched. Raw syscalls, no dlsym and no malloc, so it cannot
 * deadlock inside an allocator that reads the clock while holding its lock (workerd's tcmalloc). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* True for wrangler's own node processes (argv holds .../wrangler/bin/wrangler.js or .../wrangler-dist/cli.js).
 * They decide nothing for the app, but they sweep `.wrangler/tmp` of directories whose mtime (the real time,
 * set by the kernel) is older than "now" minus a day: a year-ahead wrangler would delete the live bundle of
 * every other stack in the project, and that stack's next rebuild fails. workerd, which runs the app, is
 * shifted. Read with raw syscalls, like everything here. */
static int is_wrangler(void) {
  char buf[4096];
  long fd = syscall(SYS_open, "/proc/self/cmdline", 0 /* O_RDONLY */);
  if (fd < 0) return 0;
  long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return 0;
  for (long i = 0; i < n; i++)
    if (buf[i] == 0) buf[i] = ' ';
  buf[n] = 0;
  const char *needles[] = {"wrangler/bin/wrangler.js", "wrangler-dist/cli.js"};
  for (unsigned k = 0; k < 2; k++) {
    const char *needle = needles[k];
    for (long i = 0; buf[i]; i++) {
      long j = 0;
      while (needle[j] && buf[i + j] == needle[j]) j++;
      if (!needle[j]) return 1;
    }
  }
  return 0;
}

static long shift_seconds(void) {
  static long cached = -1;
  if (cached == -1) {
    const char *v = getenv("TIMESHIFT_SECONDS");
    cached = v && !is_wrangler() ? atol(v) : 0;
  }
  return cached;
}

static int is_wall(clockid_t id) {
  return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  int rc = (int)syscall(SYS_clock_gettime, id, ts);
  if (rc == 0 && is_wall(id)) ts->tv_sec += shift_seconds();
  return rc;
}

int __clock_gettime(clockid_t id, struct timespec *ts) { return clock_gettime(id, ts); }

int gettimeofday(struct timeval *tv, void *tz) {
  struct timespec ts;
  int rc = clock_gettime(CLOCK_REALTIME, &ts);
  /* glibc declares tv nonnull, yet callers may pass NULL: check through a plain pointer. */
  void *volatile out = tv;
  if (rc == 0 && out) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  (void)tz;
  return rc;
}

time_t time(time_t *out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}
