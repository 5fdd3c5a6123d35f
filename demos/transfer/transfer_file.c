/* transfer_file.c - recv's FILE: written beside it, and put in its place only when the transfer is whole; never destroyed by a failure. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include "transfer_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/cli.h"

/* The mode a new file gets from open(2) with 0666: what the umask leaves. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* DIR/.NAME.socklab-XXXXXX beside target, made with mkstemp(3). */
static int make_temp(struct out_file *o, const char *target)
{
	const char *slash = strrchr(target, '/');
	int dirlen = slash ? (int)(slash - target + 1) : 0;

	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.socklab-XXXXXX", dirlen, target, target + dirlen) >=
	    sizeof o->tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0 || fchmod(o->fd, o->mode) < 0 || fcntl(o->fd, F_SETFD, FD_CLOEXEC) < 0) {
		int saved = errno;
		if (o->fd >= 0)
			close(o->fd), unlink(o->tmp);
		o->fd = -1;
		o->tmp[0] = '\0';
		errno = saved;
		return -1;
	}
	return 0;
}

int out_file_open(struct out_file *o, const char *path)
{
	struct stat st;

	memset(o, 0, sizeof *o);
	o->fd = STDOUT_FILENO;
	if (!path || strcmp(path, "-") == 0)
		return 0;
	o->path = path;
	o->fd = -1;
	o->mode = new_file_mode();
	/* A symlink to a regular file: the file it names is replaced, and the symlink stays. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, o->target) && stat(o->target, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		o->existed = 1;
		o->mode = st.st_mode & 07777;
	} else if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return cli_error("recv", EISDIR, "open", "open %s", path);
		return 0; /* a device, a FIFO, a dangling symlink: opened as it is, once the socket is ready */
	} else {
		snprintf(o->target, sizeof o->target, "%s", path);
		if (lstat(path, &st) == 0) {
			o->existed = 1;
			o->mode = st.st_mode & 07777;
		}
	}
	if (make_temp(o, o->target) == 0)
		return 0;
	if (errno == ENOENT || errno == ENAMETOOLONG || errno == ENOTDIR)
		return cli_error("recv", errno, "open", "open %s", path);
	return 0; /* the directory takes no new file (not writable?): FILE itself, once the socket is ready */
}

int out_file_ready(struct out_file *o)
{
	if (o->fd >= 0)
		return 0;
	o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	return o->fd < 0 ? cli_error("recv", errno, "open", "open %s", o->path) : 0;
}

int out_file_close(struct out_file *o, int rc, int whole)
{
	int fd = o->fd;

	o->fd = -1;
	if (!o->path)
		return rc;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = cli_error("recv", errno, NULL, "write %s", o->path);
	if (!o->tmp[0])
		return rc; /* written in place */
	if (rc == 0 && whole > 0) {
		if (rename(o->tmp, o->target) == 0)
			return 0;
		rc = cli_error("recv", errno, NULL, "put the data in %s", o->path);
	} else if (whole >= 0 && !o->existed && link(o->tmp, o->target) == 0) {
		/* FILE was not there: it gets what arrived, and the exit code says it is not all (link: never over a file) */
		fprintf(stderr, "recv: %s holds what arrived\n", o->path);
	} else if (whole >= 0 && o->existed) {
		fprintf(stderr, "recv: %s is left as it was\n", o->path);
	} /* nothing took place: nothing to say, and FILE untouched */
	unlink(o->tmp);
	return rc;
}
