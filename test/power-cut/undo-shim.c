/*
 * Power-cut shim (LD_PRELOAD): keeps an undo log of every write to files under one directory that no
 * completed fsync/fdatasync covers yet, so that after SIGKILL (the "cut") undo-log.ts can throw those
 * writes away, as a power cut would have. SIGKILL alone keeps the page cache, so it cannot show that
 * an ack waits for a sync; this can.
 *
 * Environment: RILL_POWER_CUT_DIR (the directory whose files are tracked), RILL_POWER_CUT_LOG (the
 * undo log, outside that directory). Without both, the shim only forwards calls. Optionally
 * RILL_POWER_CUT_AT_SYNC=N: the process kills itself (SIGKILL, the cut) when it calls fsync/fdatasync
 * on a tracked file for the N-th time, before the call: the moment when a commit's pages are written
 * and not yet durable, which a cut at a random time hits only now and then.
 *
 * What is intercepted (strace -f of lmdb-js 3.5.6 with rill's options showed pwrite64 and writev on
 * data.mdb, fdatasync on data.mdb, 128-byte meta page writes through a second data.mdb descriptor
 * opened O_DSYNC, ftruncate and a writable mmap on lock.mdb, a read-only mmap of data.mdb):
 * - write, pwrite, pwrite64, writev, pwritev, pwritev64, pwritev2: before the data write, one UNDO
 *   entry with the range's old bytes and the file's size before. A write through an O_DSYNC/O_SYNC
 *   descriptor (or with RWF_DSYNC/RWF_SYNC) is durable when it returns: it gets a DURABLE entry
 *   instead (its range must not be undone by an older entry).
 * - ftruncate, ftruncate64: a TRUNCATE entry (old size, and the bytes a shrink cuts off).
 * - fsync, fdatasync: once the call has returned successfully, a SYNC entry for the file covering
 *   every entry logged before the call started (a write that races the sync may or may not be in
 *   it, so it is not counted). sync() and syncfs() cover every file.
 * - sync_file_range is NOT a sync: it flushes neither metadata nor the disk's cache
 *   (sync_file_range(2): "there are no guarantees that the data will be available after a crash").
 * Not modelled: writes through a writable shared mmap (LMDB's lock.mdb, rebuilt by LMDB at every
 * open, and MDB_WRITEMAP, which rill does not use), directory entries (file creation, rename), and
 * fallocate/copy_file_range/sendfile, which lmdb-js does not call.
 *
 * Entry layout (native little-endian): struct entry_header, then the file's path, then the saved
 * old bytes; the checksum (FNV-1a) covers all three with the checksum field zero. Each entry is
 * written completely before the data write it describes, so the cut can only tear the last entry,
 * whose data write never happened; the reader ignores a torn or mismatching last entry.
 *
 * Thread safety: lmdb-js writes on its own writer thread; one mutex serialises logging with the
 * data write it describes (so the saved bytes are exactly the bytes the write replaces). A
 * thread-local flag keeps the shim from tracking its own calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define ENTRY_MAGIC 0x55435052u /* "RPCU" */
enum entry_kind { KIND_UNDO = 1, KIND_TRUNCATE = 2, KIND_DURABLE = 3, KIND_SYNC = 4, KIND_SYNC_ALL = 5 };

struct entry_header {
  uint32_t magic;
  uint32_t kind;
  uint64_t seq;
  uint64_t offset;        /* UNDO/DURABLE: start of the write; TRUNCATE: the new size */
  uint64_t length;        /* UNDO/DURABLE: bytes written; TRUNCATE: 0 */
  uint64_t old_size;      /* the file's size before the call */
  uint64_t saved;         /* old bytes that follow the path */
  uint64_t covers_before; /* SYNC/SYNC_ALL: entries with seq below this are durable */
  uint32_t path_length;
  uint32_t checksum;
};

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static void (*real_sync)(void);
static int (*real_syncfs)(int);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static __thread int inside;
static char target[PATH_MAX];
static size_t target_length;
static int log_fd = -1;
static uint64_t next_seq;
static long cut_at_sync;
static long syncs;

static void resolve(void) {
  inside = 1;
  real_write = dlsym(RTLD_NEXT, "write");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite");
  real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_pwritev = dlsym(RTLD_NEXT, "pwritev");
  real_pwritev64 = dlsym(RTLD_NEXT, "pwritev64");
  real_pwritev2 = dlsym(RTLD_NEXT, "pwritev2");
  real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
  real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_sync = dlsym(RTLD_NEXT, "sync");
  real_syncfs = dlsym(RTLD_NEXT, "syncfs");
  const char *cut = getenv("RILL_POWER_CUT_AT_SYNC");
  cut_at_sync = cut == NULL ? 0 : atol(cut);
  const char *dir = getenv("RILL_POWER_CUT_DIR");
  const char *log = getenv("RILL_POWER_CUT_LOG");
  if (dir == NULL || log == NULL) {
    inside = 0;
    return;
  }
  /* The directory may not exist yet (the WAL creates it): the caller gives it absolute, symlinks resolved. */
  if (dir[0] != '/' || strlen(dir) >= sizeof target) {
    fprintf(stderr, "power-cut shim: RILL_POWER_CUT_DIR must be an absolute path, got %s\n", dir);
    abort();
  }
  snprintf(target, sizeof target, "%s", dir);
  target_length = strlen(target);
  while (target_length > 1 && target[target_length - 1] == '/') target[--target_length] = '\0';
  log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    fprintf(stderr, "power-cut shim: cannot open the undo log %s: %s\n", log, strerror(errno));
    abort();
  }
  inside = 0;
}

static void initialise(void) { pthread_once(&once, resolve); }
__attribute__((constructor)) static void on_load(void) { initialise(); }

/* The descriptor's path if it is a regular file under the target directory, else 0. */
static int tracked_path(int fd, char *path) {
  if (log_fd < 0 || fd == log_fd) return 0;
  struct stat status;
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) return 0;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, path, PATH_MAX - 1);
  if (length <= 0) return 0;
  path[length] = '\0';
  return (size_t)length > target_length && strncmp(path, target, target_length) == 0 && path[target_length] == '/';
}

static uint32_t fnv1a(uint32_t hash, const void *data, size_t length) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 16777619u;
  return hash;
}

static void write_fully(const void *data, size_t length) {
  const char *bytes = data;
  while (length > 0) {
    ssize_t done = real_write(log_fd, bytes, length);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) {
      fprintf(stderr, "power-cut shim: cannot append to the undo log: %s\n", strerror(errno));
      abort();
    }
    bytes += done;
    length -= (size_t)done;
  }
}

/* Appends one entry; the caller holds the lock. `saved` bytes are read from `path` at `saved_from`. */
static void append_entry(uint32_t kind, const char *path, uint64_t offset, uint64_t length, uint64_t old_size, uint64_t saved_from,
                         uint64_t saved, uint64_t covers_before) {
  char *old = NULL;
  if (saved > 0) {
    old = malloc(saved);
    int reader = open(path, O_RDONLY | O_CLOEXEC);
    if (old == NULL || reader < 0) {
      fprintf(stderr, "power-cut shim: cannot save the old bytes of %s: %s\n", path, strerror(errno));
      abort();
    }
    uint64_t got = 0;
    while (got < saved) {
      ssize_t done = pread(reader, old + got, saved - got, (off_t)(saved_from + got));
      if (done < 0 && errno == EINTR) continue;
      if (done <= 0) break;
      got += (uint64_t)done;
    }
    close(reader);
    saved = got;
  }
  struct entry_header header = {ENTRY_MAGIC, kind, next_seq++, offset, length, old_size, saved, covers_before, (uint32_t)strlen(path), 0};
  uint32_t hash = fnv1a(2166136261u, &header, sizeof header);
  hash = fnv1a(hash, path, header.path_length);
  if (saved > 0) hash = fnv1a(hash, old, saved);
  header.checksum = hash;
  /* One buffer, one append: a torn entry is always the last one. */
  size_t total = sizeof header + header.path_length + saved;
  char *entry = malloc(total);
  if (entry == NULL) abort();
  memcpy(entry, &header, sizeof header);
  memcpy(entry + sizeof header, path, header.path_length);
  if (saved > 0) memcpy(entry + sizeof header + header.path_length, old, saved);
  write_fully(entry, total);
  free(entry);
  free(old);
}

#ifndef RWF_DSYNC
#define RWF_DSYNC 0x2
#endif
#ifndef RWF_SYNC
#define RWF_SYNC 0x4
#endif

static int durable_descriptor(int fd, int flags) {
  int status = fcntl(fd, F_GETFL);
  return (status >= 0 && (status & O_DSYNC)) || (flags & (RWF_DSYNC | RWF_SYNC));
}

/* Logs a data write of `length` bytes at `offset` (-1: the descriptor's position) before it happens. */
static void before_write(int fd, const char *path, off_t offset, uint64_t length, int flags) {
  struct stat status;
  if (fstat(fd, &status) != 0) return;
  uint64_t old_size = (uint64_t)status.st_size;
  if (offset < 0) {
    int file_flags = fcntl(fd, F_GETFL);
    offset = (file_flags >= 0 && (file_flags & O_APPEND)) ? (off_t)old_size : lseek(fd, 0, SEEK_CUR);
    if (offset < 0) return;
  }
  uint64_t start = (uint64_t)offset;
  if (durable_descriptor(fd, flags)) {
    append_entry(KIND_DURABLE, path, start, length, old_size, 0, 0, 0);
    return;
  }
  uint64_t end = start + length;
  uint64_t saved = start >= old_size ? 0 : (end < old_size ? end : old_size) - start;
  append_entry(KIND_UNDO, path, start, length, old_size, start, saved, 0);
}

static uint64_t vector_length(const struct iovec *vector, int count) {
  uint64_t total = 0;
  for (int i = 0; i < count; i++) total += vector[i].iov_len;
  return total;
}

/* The common shape of every write call: track it (under the lock) or just forward it. */
#define TRACKED_WRITE(fd, offset, length, flags, call)         \
  do {                                                         \
    if (!inside) initialise();                                 \
    char path[PATH_MAX];                                       \
    if (inside || !tracked_path(fd, path)) return call;        \
    inside = 1;                                                \
    pthread_mutex_lock(&lock);                                 \
    before_write(fd, path, offset, length, flags);             \
    ssize_t result = call;                                     \
    int saved_errno = errno;                                   \
    pthread_mutex_unlock(&lock);                               \
    inside = 0;                                                \
    errno = saved_errno;                                       \
    return result;                                             \
  } while (0)

ssize_t write(int fd, const void *data, size_t length) { TRACKED_WRITE(fd, -1, length, 0, real_write(fd, data, length)); }
ssize_t pwrite(int fd, const void *data, size_t length, off_t offset) {
  TRACKED_WRITE(fd, offset, length, 0, real_pwrite(fd, data, length, offset));
}
ssize_t pwrite64(int fd, const void *data, size_t length, off_t offset) {
  TRACKED_WRITE(fd, offset, length, 0, real_pwrite64(fd, data, length, offset));
}
ssize_t writev(int fd, const struct iovec *vector, int count) {
  TRACKED_WRITE(fd, -1, vector_length(vector, count), 0, real_writev(fd, vector, count));
}
ssize_t pwritev(int fd, const struct iovec *vector, int count, off_t offset) {
  TRACKED_WRITE(fd, offset, vector_length(vector, count), 0, real_pwritev(fd, vector, count, offset));
}
ssize_t pwritev64(int fd, const struct iovec *vector, int count, off_t offset) {
  TRACKED_WRITE(fd, offset, vector_length(vector, count), 0, real_pwritev64(fd, vector, count, offset));
}
ssize_t pwritev2(int fd, const struct iovec *vector, int count, off_t offset, int flags) {
  TRACKED_WRITE(fd, offset, vector_length(vector, count), flags, real_pwritev2(fd, vector, count, offset, flags));
}

static int tracked_truncate(int fd, off_t size, int (*call)(int, off_t)) {
  char path[PATH_MAX];
  if (inside || !tracked_path(fd, path)) return call(fd, size);
  inside = 1;
  pthread_mutex_lock(&lock);
  struct stat status;
  if (fstat(fd, &status) == 0) {
    uint64_t old_size = (uint64_t)status.st_size, new_size = size < 0 ? 0 : (uint64_t)size;
    uint64_t cut = new_size < old_size ? old_size - new_size : 0;
    append_entry(KIND_TRUNCATE, path, new_size, 0, old_size, new_size, cut, 0);
  }
  int result = call(fd, size);
  int saved_errno = errno;
  pthread_mutex_unlock(&lock);
  inside = 0;
  errno = saved_errno;
  return result;
}

int ftruncate(int fd, off_t size) {
  if (!inside) initialise();
  return tracked_truncate(fd, size, real_ftruncate);
}
int ftruncate64(int fd, off_t size) {
  if (!inside) initialise();
  return tracked_truncate(fd, size, real_ftruncate64);
}

/* A completed sync covers the entries logged before it started. */
static int tracked_sync(int fd, int (*call)(int), uint32_t kind) {
  char path[PATH_MAX] = "";
  if (inside || (kind == KIND_SYNC && !tracked_path(fd, path)) || log_fd < 0) return call(fd);
  pthread_mutex_lock(&lock);
  uint64_t covers_before = next_seq;
  if (kind == KIND_SYNC && ++syncs == cut_at_sync) kill(getpid(), SIGKILL);
  pthread_mutex_unlock(&lock);
  int result = call(fd);
  if (result == 0) {
    int saved_errno = errno;
    inside = 1;
    pthread_mutex_lock(&lock);
    append_entry(kind, path, 0, 0, 0, 0, 0, covers_before);
    pthread_mutex_unlock(&lock);
    inside = 0;
    errno = saved_errno;
  }
  return result;
}

int fsync(int fd) {
  if (!inside) initialise();
  return tracked_sync(fd, real_fsync, KIND_SYNC);
}
int fdatasync(int fd) {
  if (!inside) initialise();
  return tracked_sync(fd, real_fdatasync, KIND_SYNC);
}
int syncfs(int fd) {
  if (!inside) initialise();
  return tracked_sync(fd, real_syncfs, KIND_SYNC_ALL);
}
static int sync_as_call(int fd) {
  (void)fd;
  real_sync();
  return 0;
}
void sync(void) {
  if (!inside) initialise();
  tracked_sync(-1, sync_as_call, KIND_SYNC_ALL);
}
