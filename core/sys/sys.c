/* sys.c - the socket system calls, each traced, EINTR-safe and SIGPIPE-free. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/errors.h"
#include "trace.h"

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0 /* macOS: sys_socket() sets SO_NOSIGPIPE instead */
#endif

/* " = 3", or " = -1 ECONNREFUSED (connection refused)", for the end of a trace line. */
static const char *result(long r, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "= %ld", r);
	else
		snprintf(buf, len, "= -1 %s (%s)", errno_name(errno), errno_text(errno));
	return buf;
}

#define RESULT(r) result((long)(r), res, sizeof res)

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
		trace_line("socket(%s, %s, %d) %s", trace_family_name(domain), trace_type_name(type), protocol, RESULT(fd));
	return fd;
}

int sys_setsockopt_int(int fd, int level, int option, const char *name, int value)
{
	char res[96];
	int r = setsockopt(fd, level, option, &value, sizeof value);

	if (trace_on)
		trace_line("setsockopt(%d, %s, %s, %d) %s", fd, level == SOL_SOCKET ? "SOL_SOCKET" : "IPPROTO", name,
			   value, RESULT(r));
	return r;
}

int sys_getsockopt_int(int fd, int level, int option, const char *name, int *value)
{
	char res[96];
	socklen_t len = sizeof *value;
	int r = getsockopt(fd, level, option, value, &len);

	if (trace_on)
		trace_line("getsockopt(%d, %s, %s) %s%s%d", fd, level == SOL_SOCKET ? "SOL_SOCKET" : "IPPROTO", name,
			   RESULT(r), r == 0 ? ", value " : "", r == 0 ? *value : 0);
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

ssize_t sys_send(int fd, const void *buf, size_t len)
{
	char res[96];
	ssize_t r;

	do
		r = send(fd, buf, len, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("send(%d, %zu bytes) %s", fd, len, RESULT(r));
	return r;
}

ssize_t sys_recv(int fd, void *buf, size_t len, int flags)
{
	char res[96];
	ssize_t r;

	do
		r = recv(fd, buf, len, flags);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("recv(%d, %zu bytes%s) %s%s", fd, len, flags & MSG_PEEK ? ", MSG_PEEK" : "", RESULT(r),
			   r == 0 ? " (end of stream)" : "");
	return r;
}

ssize_t sys_sendto(int fd, const void *buf, size_t len, const struct addr *to)
{
	char res[96], text[ADDR_TEXT_MAX];
	ssize_t r;

	do
		r = sendto(fd, buf, len, SEND_FLAGS, to ? (const struct sockaddr *)&to->ss : NULL, to ? to->len : 0);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("sendto(%d, %zu bytes, %s) %s", fd, len, to ? addr_format(to, text, sizeof text) : "(connected peer)",
			   RESULT(r));
	return r;
}

ssize_t sys_recvfrom(int fd, void *buf, size_t len, int flags, struct addr *from, int *truncated)
{
	char res[96], text[ADDR_TEXT_MAX];
	struct addr tmp;
	struct addr *f = from ? from : &tmp;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &f->ss, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	do {
		msg.msg_namelen = sizeof f->ss;
		msg.msg_flags = 0;
		r = recvmsg(fd, &msg, flags);
	} while (r < 0 && errno == EINTR);
	f->len = r >= 0 ? msg.msg_namelen : 0;
	if (r >= 0 && from && msg.msg_namelen < sizeof(sa_family_t)) {
		/*
		 * An unbound unix datagram sender has no name, and the kernel then writes
		 * nothing, not even the family: take this socket's, so that
		 * addr_is_unnamed_unix() sees an unnamed AF_UNIX address, not stale bytes.
		 */
		struct sockaddr_storage self;
		socklen_t sl = sizeof self;
		f->ss.ss_family = getsockname(fd, (struct sockaddr *)&self, &sl) == 0 ? self.ss_family : AF_UNSPEC;
	}
	if (truncated)
		*truncated = r >= 0 && (msg.msg_flags & MSG_TRUNC);
	if (trace_on) {
		/* Without from, this is recv(2) of one message (seqpacket): narrate it as that. */
		if (r >= 0 && from)
			trace_line("recvfrom(%d, %zu bytes) %s, from %s%s", fd, len, RESULT(r),
				   addr_format(f, text, sizeof text), msg.msg_flags & MSG_TRUNC ? ", MSG_TRUNC" : "");
		else
			trace_line("%s(%d, %zu bytes) %s%s", from ? "recvfrom" : "recv", fd, len, RESULT(r),
				   r >= 0 && (msg.msg_flags & MSG_TRUNC) ? ", MSG_TRUNC" : "");
	}
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

int sys_set_nonblocking(int fd, int on)
{
	char res[96];
	int flags = fcntl(fd, F_GETFL);
	int r = flags < 0 ? -1 : fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);

	if (trace_on)
		trace_line("fcntl(%d, F_SETFL, %sO_NONBLOCK) %s", fd, on ? "" : "~", RESULT(r));
	return r;
}

int sys_set_recv_timeout(int fd, int timeout_ms)
{
	char res[96];
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int r = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	if (trace_on)
		trace_line("setsockopt(%d, SOL_SOCKET, SO_RCVTIMEO, %d.%03d s) %s", fd, timeout_ms / 1000, timeout_ms % 1000,
			   RESULT(r));
	return r;
}

int sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	char res[96];
	int r = poll(fds, n, timeout_ms);

	if (trace_on)
		trace_line("poll(%lu fds, timeout %d ms) %s", (unsigned long)n, timeout_ms, RESULT(r));
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

long long sys_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sys_sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int sys_wait(int fd, int for_write, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : sys_now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN };

	for (;;) {
		int left = -1;
		if (deadline >= 0) {
			long long l = deadline - sys_now_ms();
			left = l < 0 ? 0 : (int)l;
		}
		int r = sys_poll(&p, 1, left);
		if (r >= 0)
			return r > 0 ? 1 : 0;
		if (errno != EINTR)
			return -1;
	}
}
