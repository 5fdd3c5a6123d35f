/* sys_cred.c - who is at the other end of a unix socket: socketpair, SO_PEERCRED, SO_PEERPIDFD, SO_PASSCRED, SCM_CREDENTIALS. */
#ifdef __linux__
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED, SCM_CREDENTIALS (unix(7)) */
#endif
#include "sys_msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys.h"
#include "sys_msg_os.h"
#include "trace.h"

#define RESULT(r) trace_result((long)(r), res, sizeof res)

/* Close-on-exec (and, where there is no MSG_NOSIGNAL, SO_NOSIGPIPE) on a new socket, as sys_socket() does. */
static int prepare(int fd)
{
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int sys_socketpair(int domain, int type, int sv[2])
{
	char res[96];
	int r = socketpair(domain, type, 0, sv);

	if (r == 0 && (prepare(sv[0]) < 0 || prepare(sv[1]) < 0)) {
		int saved = errno;
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		r = -1;
	}
	if (trace_on) {
		if (r == 0)
			trace_line("socketpair(%s, %s, 0) = 0, [%d %d]", trace_family_name(domain), trace_type_name(type), sv[0],
				   sv[1]);
		else
			trace_line("socketpair(%s, %s, 0) %s", trace_family_name(domain), trace_type_name(type), RESULT(r));
	}
	return r;
}

int sys_peercred(int fd, struct sys_cred *c)
{
	char res[96];
	int r;

#ifdef __linux__
	struct ucred u;
	socklen_t len = sizeof u;
	r = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &u, &len);
	if (r == 0) {
		c->pid = (long)u.pid;
		c->uid = u.uid == (uid_t)-1 ? -1 : (long)u.uid;
		c->gid = u.gid == (gid_t)-1 ? -1 : (long)u.gid;
	}
#else
	(void)c;
	errno = EOPNOTSUPP; /* BSD and macOS have LOCAL_PEERCRED and getpeereid(3) instead: not written here */
	r = -1;
#endif
	if (trace_on) {
		if (r == 0)
			trace_line("getsockopt(%d, SOL_SOCKET, SO_PEERCRED) = 0, pid %ld, uid %ld, gid %ld", fd, c->pid, c->uid,
				   c->gid);
		else
			trace_line("getsockopt(%d, SOL_SOCKET, SO_PEERCRED) %s", fd, RESULT(r));
	}
	return r;
}

int sys_peerpidfd(int fd)
{
	char res[96];
	int pidfd = -1, r;

#ifdef SO_PEERPIDFD
	socklen_t len = sizeof pidfd;
	r = getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len);
#else
	errno = EOPNOTSUPP; /* not Linux, or an architecture whose number socklab does not know (sys_msg_os.h) */
	r = -1;
#endif
	if (trace_on) {
		if (r == 0)
			trace_line("getsockopt(%d, SOL_SOCKET, SO_PEERPIDFD) = 0, pidfd %d", fd, pidfd);
		else
			trace_line("getsockopt(%d, SOL_SOCKET, SO_PEERPIDFD) %s", fd, RESULT(r));
	}
	return r < 0 ? -1 : pidfd;
}

long sys_pidfd_pid(int pidfd)
{
	char path[64], line[128];
	long pid = -2;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
	FILE *f = fopen(path, "re");
	if (!f)
		return -2;
	while (pid == -2 && fgets(line, sizeof line, f))
		if (strncmp(line, "Pid:", 4) == 0)
			pid = strtol(line + 4, NULL, 10); /* -1: the process has exited */
	fclose(f);
	return pid < -1 ? -2 : pid;
}

int sys_set_passcred(int fd, int on)
{
#ifdef SO_PASSCRED
	return sys_setsockopt_int(fd, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", on);
#else
	(void)fd, (void)on;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

int sys_set_passrights(int fd, int on)
{
#ifdef SO_PASSRIGHTS
	return sys_setsockopt_int(fd, SOL_SOCKET, SO_PASSRIGHTS, "SO_PASSRIGHTS", on);
#else
	(void)fd, (void)on;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

ssize_t sys_send_cred(int fd, const void *buf, size_t len, const struct sys_cred *claim, const struct addr *to)
{
#ifdef SCM_CREDENTIALS
	union {
		struct cmsghdr align;
		unsigned char bytes[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct ucred u = { .pid = (pid_t)claim->pid, .uid = (uid_t)claim->uid, .gid = (gid_t)claim->gid };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			    .msg_controllen = sizeof control.bytes };

	memset(&control, 0, sizeof control);
	if (to) {
		m.msg_name = (void *)&to->ss;
		m.msg_namelen = to->len;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof u);
	memcpy(CMSG_DATA(c), &u, sizeof u);
	return sys_sendmsg(fd, &m);
#else
	(void)fd, (void)buf, (void)len, (void)claim, (void)to;
	errno = EOPNOTSUPP;
	return -1;
#endif
}
