/* sys_msg.c - sendmsg and recvmsg, traced with their control data, and the one safe receive of descriptors. */
#ifdef __linux__
#define _GNU_SOURCE /* struct ucred, MSG_CMSG_CLOEXEC */
#endif
#include "sys_msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <stdint.h>
#include <sys/syscall.h>
#endif

#include "sys.h"
#include "sys_msg_os.h"
#include "trace.h"

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0 /* sys_socket() set SO_NOSIGPIPE instead */
#endif

/* The most descriptors sys_send_fds() hands to the kernel: enough to show its limit refused. */
#define SEND_FDS_MAX (2 * SYS_FDS_MAX)

/* Bytes in all of m's buffers, for the trace. */
static size_t iov_bytes(const struct msghdr *m)
{
	size_t n = 0;

	for (size_t i = 0; i < (size_t)m->msg_iovlen; i++)
		n += m->msg_iov[i].iov_len;
	return n;
}

/* The address in m->msg_name as text, or "" when there is none. */
static const char *name_text(const struct msghdr *m, socklen_t namelen, char *out, size_t len)
{
	struct addr a;

	out[0] = '\0';
	if (!m->msg_name || namelen == 0 || namelen > sizeof a.ss)
		return out;
	memcpy(&a.ss, m->msg_name, namelen);
	a.len = namelen;
	return addr_format(&a, out, len);
}

#if defined(__linux__) && !defined(__GLIBC__) && defined(SYS_sendmsg) && UINTPTR_MAX > 0xffffffffu
#define KERNEL_CONTROL_MAX (CMSG_SPACE(sizeof(int) * SEND_FDS_MAX) + 64)
/*
 * The kernel's own sendmsg(2), for control data a C library will not pass.
 * musl (1.2.3, src/network/sendmsg.c) keeps an int and a padding word where
 * the kernel has a size_t in struct msghdr and struct cmsghdr on 64-bit
 * systems, so it copies the control data into a buffer of 1024 bytes to
 * clear the padding, and refuses more with ENOMEM before the kernel sees the
 * call: SCM_MAX_FD descriptors take 1032 bytes. socklab shows the kernel's
 * limits, so it does the same copy with room for them, and calls the kernel.
 * The layouts are the kernel's struct user_msghdr and struct cmsghdr
 * (include/linux/socket.h). -1 with errno as sendmsg(2) sets it.
 */
static ssize_t kernel_sendmsg(int fd, const struct msghdr *m, int flags)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[KERNEL_CONTROL_MAX];
	} control;
	struct { void *name; int namelen; struct iovec *iov; size_t iovlen; void *control; size_t controllen;
		 unsigned flags; } k = { m->msg_name, (int)m->msg_namelen, m->msg_iov, (size_t)m->msg_iovlen, NULL, 0, 0 };

	if (m->msg_controllen > sizeof control.bytes) {
		errno = ENOMEM;
		return -1;
	}
	if (m->msg_controllen) {
		memcpy(control.bytes, m->msg_control, m->msg_controllen);
		struct msghdr view = *m;
		view.msg_control = control.bytes;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&view); c; c = CMSG_NXTHDR(&view, c)) {
			size_t len = c->cmsg_len; /* the C library's socklen_t, as a size_t: its padding cleared */
			memcpy(c, &len, sizeof len);
		}
		k.control = control.bytes;
		k.controllen = m->msg_controllen;
	}
	return syscall(SYS_sendmsg, fd, &k, flags);
}
#endif

ssize_t sys_sendmsg(int fd, const struct msghdr *m)
{
	char res[96], to[ADDR_TEXT_MAX], ctl[256];
	ssize_t r;

	do
		r = sendmsg(fd, m, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
#ifdef KERNEL_CONTROL_MAX
	if (r < 0 && errno == ENOMEM && m->msg_controllen > 1024) /* the C library's limit, not the kernel's */
		do
			r = kernel_sendmsg(fd, m, SEND_FLAGS);
		while (r < 0 && errno == EINTR);
#endif
	if (trace_on) {
		name_text(m, m->msg_namelen, to, sizeof to);
		sys_ctl_format(m->msg_control, (size_t)m->msg_controllen, ctl, sizeof ctl);
		trace_line("sendmsg(%d, %zu bytes%s%s%s%s) %s", fd, iov_bytes(m), to[0] ? ", to " : "", to, ctl[0] ? ", " : "",
			   ctl, trace_result((long)r, res, sizeof res));
	}
	return r;
}

ssize_t sys_recvmsg(int fd, struct msghdr *m, int flags)
{
	char res[96], ctl[256], room[48];
	size_t controllen = (size_t)m->msg_controllen;
	socklen_t namelen = m->msg_namelen;
	ssize_t r;

	do {
		m->msg_namelen = namelen;
		m->msg_controllen = controllen;
		m->msg_flags = 0;
		r = recvmsg(fd, m, flags);
	} while (r < 0 && errno == EINTR);
	if (trace_on) {
		if (m->msg_control && controllen)
			snprintf(room, sizeof room, "control %zu bytes", controllen);
		else
			snprintf(room, sizeof room, "no control buffer");
		ctl[0] = '\0';
		if (r >= 0)
			sys_ctl_format(m->msg_control, (size_t)m->msg_controllen, ctl, sizeof ctl);
		trace_line("recvmsg(%d, %zu bytes, %s%s%s%s) %s%s%s%s%s", fd, iov_bytes(m), room,
			   (flags & SYS_RECV_CLOEXEC) ? ", MSG_CMSG_CLOEXEC" : "",
			   flags & MSG_DONTWAIT ? ", MSG_DONTWAIT" : "", flags & MSG_PEEK ? ", MSG_PEEK" : "",
			   trace_result((long)r, res, sizeof res), ctl[0] ? ", " : "", ctl,
			   r >= 0 && (m->msg_flags & MSG_TRUNC) ? ", MSG_TRUNC" : "",
			   r >= 0 && (m->msg_flags & MSG_CTRUNC) ? ", MSG_CTRUNC" : "");
	}
	return r;
}

ssize_t sys_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t nfds, const struct addr *to)
{
	union {
		struct cmsghdr align; /* CMSG_FIRSTHDR needs a buffer aligned for a header */
		unsigned char bytes[CMSG_SPACE(sizeof(int) * SEND_FDS_MAX)];
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > SEND_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (to) {
		m.msg_name = (void *)&to->ss;
		m.msg_namelen = to->len;
	}
	if (nfds) {
		memset(&control, 0, sizeof control);
		m.msg_control = control.bytes;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sys_sendmsg(fd, &m);
}

/* The drop of sys_ctl_parse() in a real receive: the descriptor is ours now, and unwanted. */
static void close_received(int fd, void *ctx)
{
	(void)ctx;
	close(fd);
}

ssize_t sys_recv_ctl(int fd, void *buf, size_t len, int flags, struct addr *from, size_t keep, struct sys_ctl *ctl)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[SYS_CTL_SPACE];
	} control;
	struct addr tmp;
	struct addr *f = from ? from : &tmp;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_name = &f->ss, .msg_namelen = sizeof f->ss, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = control.bytes, .msg_controllen = sizeof control.bytes };

	ssize_t r = sys_recvmsg(fd, &m, flags | SYS_RECV_CLOEXEC);
	if (r < 0) {
		sys_ctl_parse(NULL, 0, 0, 1, ctl, NULL, NULL); /* empty */
		f->len = 0;
		return -1;
	}
	f->len = m.msg_namelen;
	if (from && f->len < sizeof(sa_family_t)) {
		/* No name (a connection, or an unbound unix sender): the family of this socket, never stale bytes. */
		struct addr self;
		self.len = sizeof self.ss;
		f->ss.ss_family = getsockname(fd, (struct sockaddr *)&self.ss, &self.len) == 0 ? self.ss.ss_family : AF_UNSPEC;
	}
	int cut = m.msg_flags & (MSG_TRUNC | MSG_CTRUNC);
	/* A cut message is incomplete: whatever descriptors came with it are closed, never half-used. */
	sys_ctl_parse(control.bytes, (size_t)m.msg_controllen, keep, cut != 0, ctl, close_received, NULL);
	ctl->flags = cut;
#ifndef MSG_CMSG_CLOEXEC
	for (size_t i = 0; i < ctl->nfds; i++)
		fcntl(ctl->fds[i], F_SETFD, FD_CLOEXEC); /* a window another thread's exec could use: no flag here */
	if (ctl->pidfd >= 0)
		fcntl(ctl->pidfd, F_SETFD, FD_CLOEXEC);
#endif
	if (trace_on && ctl->closed)
		trace_line("  (closed %zu received descriptor%s: %s)", ctl->closed, ctl->closed == 1 ? "" : "s",
			   cut & MSG_CTRUNC ? "MSG_CTRUNC, the control data was cut"
			   : cut	     ? "MSG_TRUNC, the message was cut"
					     : "more than this receiver takes");
	return r;
}

void sys_ctl_close(struct sys_ctl *ctl)
{
	for (size_t i = 0; i < ctl->nfds; i++)
		sys_close(ctl->fds[i]);
	ctl->nfds = 0;
	if (ctl->pidfd >= 0)
		sys_close(ctl->pidfd);
	ctl->pidfd = -1;
}

int sys_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d) {
		for (struct dirent *e; (e = readdir(d)) != NULL;)
			n += e->d_name[0] != '.';
		closedir(d);
		return n - 1; /* the directory's own descriptor */
	}
	struct rlimit rl;
	int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536
			  ? (int)rl.rlim_cur
			  : 65536;
	for (int fd = 0; fd < max; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}
