/* af_unix_lock.c - the lock file beside a server's socket file: who may decide that the file is stale. */
#include "af_unix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.h"

/*
 * Why a lock: a socket file can be stale (its server died without removing
 * it) and the next server must then remove it to bind. The only test the
 * socket file itself offers is connect(2), and a refusal does not mean dead:
 * a server that has bound but not yet called listen(2) refuses too. Two
 * servers started at once on one path could each take the other's file for
 * stale, and one would end up serving a file nobody can reach.
 *
 * So every socklab server takes flock(2) on PATH.lock before bind(2) and
 * holds it until its socket file is gone again. Whoever holds the lock is the
 * only one who may look at the socket file; another server finds the lock
 * held and stops there (EADDRINUSE). flock(2) ends with its holder, so a
 * server that crashed leaves a lock file that the next one simply takes.
 * Servers that are not socklab take no lock: connect(2) still decides for
 * them, with the race above (see is_stale_socket in af_unix.c).
 */

#define LOCK_SUFFIX ".lock"
#define LOCK_TRIES 8 /* a lock file removed under us this many times in a row: somebody is playing games */

/* PATH.lock into out. -1 ENAMETOOLONG when it does not fit. */
static int lock_path(const char *path, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s%s", path, LOCK_SUFFIX) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Opens (creating) the lock file, never through a symlink, and only a regular file. A descriptor above 2, or -1. */
static int lock_open(const char *lp, struct stat *st)
{
	/* O_NONBLOCK: a FIFO put at the path must not make open() wait for a writer. */
	int fd = open(lp, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno == ELOOP ? (errno = SL_EBADLOCK, -1) : -1;
	if (fd <= 2) { /* never 0 to 2: zero means "no lock" in struct sock_file, and 1, 2 are stdio's */
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		if ((fd = moved) < 0)
			return -1;
	}
	st->st_mode = 0;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int saved = errno;
		int regular = S_ISREG(st->st_mode);
		close(fd);
		errno = regular ? saved : SL_EBADLOCK; /* a directory, a FIFO...: not a lock file, and never touched */
		return -1;
	}
	return fd;
}

int unix_lock_take(struct sock *s, const char *path)
{
	char lp[sizeof s->file.path + sizeof LOCK_SUFFIX];
	struct stat held, now;

	if (lock_path(path, lp, sizeof lp) < 0)
		return -1;
	for (int tries = 0; tries < LOCK_TRIES; tries++) {
		int fd = lock_open(lp, &held);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int saved = errno;
			close(fd);
			errno = saved == EWOULDBLOCK ? EADDRINUSE : saved; /* another server holds it: the path is in use */
			return -1;
		}
		/* Still the file at lp? The server that held it may have removed it between our open and flock. */
		if (lstat(lp, &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino) {
			s->file.lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	errno = EADDRINUSE;
	return -1;
}

void unix_lock_drop(struct sock *s, const char *path)
{
	char lp[sizeof s->file.path + sizeof LOCK_SUFFIX];
	struct stat held, now;

	if (s->file.lock_fd <= 2)
		return;
	/* Removed while still held, so that nobody can take it in between; and only if it is still ours. */
	if (path && lock_path(path, lp, sizeof lp) == 0 && fstat(s->file.lock_fd, &held) == 0 && lstat(lp, &now) == 0 &&
	    now.st_dev == held.st_dev && now.st_ino == held.st_ino)
		unlink(lp);
	close(s->file.lock_fd);
	s->file.lock_fd = 0;
}
