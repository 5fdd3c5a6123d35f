/* sys.c - the traced wrappers of a socket's life: socket, options, bind, listen, accept, connect, shutdown, close; and its file. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys_private.h"
#include "trace.h"

int sys_socket(int domain, int type, int protocol)
{
	char res[96];
	int fd = socket(domain, type, protocol);

	if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		fd = -1;
	}
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
	}
#endif
	if (trace_on)
		trace_line("socket(%s, %s, %s) %s", trace_family_name(domain), trace_type_name(type),
			   trace_protocol_name(domain, protocol), RESULT(fd));
	return fd;
}

/* The name of an option's level, as the code that asks would write it. */
static const char *level_name(int level)
{
	switch (level) {
	case SOL_SOCKET:
		return "SOL_SOCKET";
	case IPPROTO_IP:
		return "IPPROTO_IP";
	case IPPROTO_IPV6:
		return "IPPROTO_IPV6";
	case IPPROTO_TCP:
		return "IPPROTO_TCP";
	case IPPROTO_UDP:
		return "IPPROTO_UDP";
	default:
		return "IPPROTO";
	}
}

int sys_setsockopt_int(int fd, int level, int option, const char *name, int value)
{
	char res[96];
	int r = setsockopt(fd, level, option, &value, sizeof value);

	if (trace_on)
		trace_line("setsockopt(%d, %s, %s, %d) %s", fd, level_name(level), name,
			   value, RESULT(r));
	return r;
}

int sys_getsockopt_int(int fd, int level, int option, const char *name, int *value)
{
	char res[96];
	socklen_t len = sizeof *value;
	int r = getsockopt(fd, level, option, value, &len);

	if (trace_on)
		trace_line("getsockopt(%d, %s, %s) %s%s%d", fd, level_name(level), name,
			   RESULT(r), r == 0 ? ", value " : "", r == 0 ? *value : 0);
	return r;
}

int sys_getsockopt(int fd, int level, int option, const char *name, void *value, socklen_t *len)
{
	char res[96];
	int r = getsockopt(fd, level, option, value, len);

	if (trace_on)
		trace_line("getsockopt(%d, %s, %s) %s", fd, level_name(level), name, RESULT(r));
	return r;
}

int sys_ioctl_int(int fd, unsigned long request, const char *name, int *value)
{
	char res[96];
	int r = ioctl(fd, request, value);

	if (trace_on)
		trace_line("ioctl(%d, %s) %s%s%d", fd, name, RESULT(r), r == 0 ? ", value " : "", r == 0 ? *value : 0);
	return r;
}

int sys_bind(int fd, const struct addr *a)
{
	char res[96], text[ADDR_TEXT_MAX];
	int r = bind(fd, (const struct sockaddr *)&a->ss, a->len);

	if (trace_on)
		trace_line("bind(%d, %s) %s", fd,
			   addr_is_unnamed_unix(a) ? "(autobind: the kernel picks a name)" : addr_format(a, text, sizeof text),
			   RESULT(r));
	return r;
}

int sys_listen(int fd, int backlog)
{
	char res[96];
	int r = listen(fd, backlog);

	if (trace_on)
		trace_line("listen(%d, %d) %s", fd, backlog, RESULT(r));
	return r;
}

int sys_accept(int fd, struct addr *peer)
{
	char res[96], text[ADDR_TEXT_MAX];
	struct addr tmp;
	struct addr *p = peer ? peer : &tmp;
	int r;

	do {
		p->len = sizeof p->ss;
		r = accept(fd, (struct sockaddr *)&p->ss, &p->len);
	} while (r < 0 && errno == EINTR);
	if (r >= 0 && fcntl(r, F_SETFD, FD_CLOEXEC) < 0) {
		int saved = errno;
		close(r);
		errno = saved;
		r = -1;
	}
	if (trace_on) {
		if (r >= 0)
			trace_line("accept(%d) %s, peer %s", fd, RESULT(r), addr_format(p, text, sizeof text));
		else
			trace_line("accept(%d) %s", fd, RESULT(r));
	}
	return r;
}

/* After connect() was interrupted: wait for the handshake and read its outcome. */
static int connect_finish(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (sys_wait(fd, 1, -1) < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int sys_connect(int fd, const struct addr *a)
{
	char res[96], text[ADDR_TEXT_MAX];
	int r = connect(fd, (const struct sockaddr *)&a->ss, a->len);

	if (r < 0 && errno == EINTR)
		r = connect_finish(fd);
	if (trace_on)
		trace_line("connect(%d, %s) %s", fd, addr_format(a, text, sizeof text), RESULT(r));
	return r;
}

/*
 * Waits for a non-blocking connect(2) to finish, at most timeout_ms, and
 * reads its outcome with SO_ERROR. poll(2) is called here untraced: the trace
 * tells the connect as one call, with its outcome, as a blocking one reads.
 */
static int connect_wait(int fd, int timeout_ms)
{
	long long deadline = sys_now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0, r;
	socklen_t len = sizeof err;

	do {
		long long left = deadline - sys_now_ms();
		r = poll(&p, 1, left < 0 ? 0 : (int)left);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	errno = err;
	return err ? -1 : 0;
}

int sys_connect_within(int fd, const struct addr *a, int timeout_ms)
{
	char res[96], text[ADDR_TEXT_MAX];
	int flags = fcntl(fd, F_GETFL), r, cut = 0;

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	r = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	/* EINTR too: the handshake goes on in the background, as after EINPROGRESS (connect(2), POSIX). */
	if (r < 0 && (errno == EINPROGRESS || errno == EINTR)) {
		r = connect_wait(fd, timeout_ms);
		cut = r < 0 && errno == ETIMEDOUT;
	}
	int saved = errno;
	if (fcntl(fd, F_SETFL, flags) < 0 && r == 0)
		return -1;
	errno = saved;
	if (trace_on)
		trace_line("connect(%d, %s) %s%s", fd, addr_format(a, text, sizeof text), RESULT(r),
			   cut ? ": no answer to the handshake within the timeout, socklab gave up" : "");
	return r;
}

int sys_shutdown(int fd, int how)
{
	char res[96];
	int r = shutdown(fd, how);

	if (trace_on)
		trace_line("shutdown(%d, %s) %s", fd,
			   how == SHUT_WR ? "SHUT_WR" : how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR", RESULT(r));
	return r;
}

int sys_close(int fd)
{
	char res[96];
	int r = close(fd);

	if (r < 0 && errno == EINTR)
		r = 0; /* the descriptor is gone all the same; see sys.h */
	if (trace_on)
		trace_line("close(%d) %s", fd, RESULT(r));
	return r;
}

int sys_getsockname(int fd, struct addr *a)
{
	char res[96], text[ADDR_TEXT_MAX];
	int r;

	a->len = sizeof a->ss;
	r = getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
	if (trace_on)
		trace_line("getsockname(%d) %s%s%s", fd, RESULT(r), r == 0 ? ", " : "",
			   r == 0 ? addr_format(a, text, sizeof text) : "");
	return r;
}

int sys_unlink(const char *path)
{
	char res[96];
	int r = unlink(path);

	if (trace_on)
		trace_line("unlink(\"%s\") %s", path, RESULT(r));
	return r;
}

int sys_chmod(const char *path, mode_t mode)
{
	char res[96];
	int r = fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW);

	if (trace_on)
		trace_line("chmod(\"%s\", 0%03o) %s", path, (unsigned)mode, RESULT(r));
	return r;
}

