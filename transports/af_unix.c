/* af_unix.c - bind, close and dial for every AF_UNIX transport: socket files and their pitfalls. */
#include "af_unix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"

/* The path a names, or NULL for an abstract name or no name. */
static const char *path_of(const struct addr *a)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;

	if (addr_is_unnamed_unix(a) || sun->sun_path[0] == '\0')
		return NULL;
	return sun->sun_path;
}

/*
 * bind(2) with S_IWOTH masked out, so that no umask makes the socket
 * world-writable; with no permission at all when the server sets the mode
 * itself before anyone may connect (s->file.has_mode): then nobody but root
 * can connect or send in between.
 */
static int bind_private(const struct sock *s, const struct addr *a)
{
	mode_t old = umask(S_IWOTH);

	umask(s->file.has_mode ? 0777 : old | S_IWOTH);
	int r = sys_bind(s->fd, a);
	int saved = errno;
	umask(old);
	errno = saved;
	return r;
}

/*
 * A socket file at the path, and no socklab server holds its lock: is it
 * stale? A connect(2) says, without waiting (a live server whose accept
 * queue is full would make a blocking one wait for ever): refused means no
 * socket is bound to the file any more. Returns 1 when stale; 0 when a socket
 * is alive there (errno EADDRINUSE); -1 with errno when it cannot tell
 * (SL_ESOCKET_DENIED: this user may not connect to it).
 */
static int is_stale_socket(const struct sock *s, const struct addr *a)
{
	int fd = sys_socket(AF_UNIX, s->t->type, 0);
	if (fd < 0)
		return -1;
	int r = sys_set_nonblocking(fd, 1) < 0 ? -1 : sys_connect(fd, a);
	int err = r == 0 ? 0 : errno;
	sys_close(fd);
	if (err == ECONNREFUSED)
		return 1;
	/* Accepted, queued (EINPROGRESS), the queue full (EAGAIN), or bound with another socket type. */
	if (err == 0 || err == EINPROGRESS || err == EAGAIN || err == EWOULDBLOCK || err == EPROTOTYPE) {
		errno = EADDRINUSE;
		return 0;
	}
	errno = err == EACCES || err == EPERM ? SL_ESOCKET_DENIED : err;
	return -1;
}

/* Remembers the file bind(2) created, to remove exactly that file later. */
static void remember_file(struct sock *s, const char *path)
{
	struct stat st;

	snprintf(s->file.path, sizeof s->file.path, "%s", path); /* fits: path came from sun_path */
	if (lstat(path, &st) == 0) {
		s->file.dev = st.st_dev;
		s->file.ino = st.st_ino;
	}
}

/* bind(2) to a, removing a stale socket file at path first if need be (the lock is held). */
static int bind_file(struct sock *s, const struct addr *a, const char *path)
{
	struct stat st;

	if (bind_private(s, a) == 0)
		return 0;
	if (errno != EADDRINUSE || !path)
		return -1;
	/* The name is taken. lstat(2), not stat(2): a symlink is never followed. */
	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = SL_ENOTSOCK_FILE;
		return -1;
	}
	if (is_stale_socket(s, a) <= 0)
		return -1;
	if (sys_unlink(path) < 0 || bind_private(s, a) < 0)
		return -1;
	return 0;
}

int unix_bind(struct sock *s, const struct addr *a)
{
	const char *path = path_of(a);

	if (sockops_socket(s, a) < 0)
		return -1;
	if (path && unix_lock_take(s, path) < 0)
		return -1;
	if (bind_file(s, a, path) < 0) {
		int saved = errno;
		unix_lock_drop(s, path);
		errno = saved;
		return -1;
	}
	if (path)
		remember_file(s, path);
	return 0;
}

int unix_close(struct sock *s)
{
	struct stat st;
	int r = sockops_close(s);

	if (s->file.path[0] && lstat(s->file.path, &st) == 0 && st.st_dev == s->file.dev && st.st_ino == s->file.ino) {
		sys_unlink(s->file.path);
#ifndef __linux__
		/* A datagram client's temporary path lives in a directory of its own. */
		char *slash = strrchr(s->file.path, '/');
		if (strncmp(s->file.path, "/tmp/socklab-client.", 20) == 0 && slash) {
			*slash = '\0';
			rmdir(s->file.path);
		}
#endif
	}
	unix_lock_drop(s, s->file.path); /* last: until the file is gone, no other server may decide about it */
	s->file.path[0] = '\0';
	return r;
}

int unix_set_file_mode(struct sock *s, mode_t mode)
{
	struct stat st;

	if (s->fd < 0 || s->file.path[0] == '\0' || (mode & ~(mode_t)0777)) {
		errno = EINVAL;
		return -1;
	}
	/* The file bind() made, and not one put in its place since: compare identities first. */
	if (lstat(s->file.path, &st) < 0)
		return -1;
	if (st.st_dev != s->file.dev || st.st_ino != s->file.ino) {
		errno = ENOENT;
		return -1;
	}
	return sys_chmod(s->file.path, mode);
}

int unix_dgram_dial(struct sock *s, const struct addr *a)
{
	struct addr self;

	if (sockops_socket(s, a) < 0)
		return -1;
	memset(&self, 0, sizeof self);
	self.ss.ss_family = AF_UNIX;
#ifdef __linux__
	/* Autobind: an address of just the family asks the kernel for an abstract name. */
	self.len = (socklen_t)offsetof(struct sockaddr_un, sun_path);
	if (sys_bind(s->fd, &self) < 0)
		return -1;
#else
	char dir[] = "/tmp/socklab-client.XXXXXX";
	struct sockaddr_un *sun = (struct sockaddr_un *)&self.ss;
	if (!mkdtemp(dir))
		return -1;
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s/client.sock", dir);
	self.len = (socklen_t)sizeof *sun;
	if (bind_private(s, &self) < 0) {
		int saved = errno;
		rmdir(dir);
		errno = saved;
		return -1;
	}
	remember_file(s, sun->sun_path);
#endif
	s->peer = *a;
	return 0;
}
