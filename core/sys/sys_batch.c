/* sys_batch.c - the traced wrappers that move many datagrams per system call: sendmmsg, recvmmsg, and UDP segmentation offload. */
#ifdef __linux__
#define _GNU_SOURCE /* sendmmsg(2), recvmmsg(2) and struct mmsghdr are Linux's (glibc declares them under _GNU_SOURCE) */
#endif
#include "sys.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/udp.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "trace.h"

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0 /* macOS: sys_socket() sets SO_NOSIGPIPE instead (sys.c) */
#endif

#define RESULT(r) trace_result((long)(r), res, sizeof res)

/*
 * One system call, as the trace says: musl's sendmmsg() is a loop of sendmsg() on
 * 64-bit systems (its struct msghdr keeps padding where the kernel has a
 * size_t, and it will not rewrite the caller's array: src/network/sendmmsg.c).
 * The array here is zeroed, padding included, and carries no control data,
 * so its layout is the kernel's: elsewhere than glibc, the kernel's own call.
 */
#if defined(__linux__) && !defined(__GLIBC__) && defined(SYS_sendmmsg)
#define SENDMMSG(fd, mm, n, flags) ((int)syscall(SYS_sendmmsg, (fd), (mm), (n), (flags)))
#else
#define SENDMMSG sendmmsg
#endif

/* The total length of the first n messages, for the trace. */
static size_t total_len(const struct sock_msg *m, size_t n)
{
	size_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += m[i].len;
	return sum;
}

/* "to 127.0.0.1:5555", "to the connected peer", or "to 3 addresses": where a batch went, for the trace. */
static const char *batch_dest(const struct sock_msg *m, size_t n, const struct addr *to, char *out, size_t len)
{
	const struct addr *first = m[0].addr ? m[0].addr : to;

	for (size_t i = 1; i < n; i++) {
		const struct addr *a = m[i].addr ? m[i].addr : to;
		if (a != first && (!a || !first || !addr_equal(a, first))) {
			snprintf(out, len, "to several addresses");
			return out;
		}
	}
	if (!first)
		return "to the connected peer";
	char text[ADDR_TEXT_MAX];
	snprintf(out, len, "to %s", addr_format(first, text, sizeof text));
	return out;
}

#ifdef __linux__
ssize_t sys_sendmmsg(int fd, struct sock_msg *m, size_t n, const struct addr *to)
{
	struct mmsghdr mm[SOCK_BATCH_MAX];
	struct iovec iov[SOCK_BATCH_MAX];
	char res[96], dest[ADDR_TEXT_MAX + 16];
	int r;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	memset(mm, 0, n * sizeof *mm);
	for (size_t i = 0; i < n; i++) {
		const struct addr *a = m[i].addr ? m[i].addr : to;
		iov[i] = (struct iovec){ .iov_base = m[i].buf, .iov_len = m[i].len };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (a)
			mm[i].msg_hdr.msg_name = (void *)&a->ss, mm[i].msg_hdr.msg_namelen = a->len;
	}
	do
		r = SENDMMSG(fd, mm, (unsigned)n, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	for (int i = 0; i < r; i++)
		m[i].got = mm[i].msg_len;
	if (trace_on)
		trace_line("sendmmsg(%d, %zu message%s, %zu bytes, %s) %s", fd, n, n == 1 ? "" : "s", total_len(m, n),
			   batch_dest(m, n, to, dest, sizeof dest), RESULT(r));
	return r;
}

/* The name of an unnamed unix sender: no bytes at all, not even the family (see sys_recvfrom in sys_io.c). */
static void name_unnamed(int fd, struct addr *a)
{
	struct sockaddr_storage self;
	socklen_t sl = sizeof self;

	a->ss.ss_family = getsockname(fd, (struct sockaddr *)&self, &sl) == 0 ? self.ss_family : AF_UNSPEC;
}

ssize_t sys_recvmmsg(int fd, struct sock_msg *m, size_t n)
{
	struct mmsghdr mm[SOCK_BATCH_MAX];
	struct iovec iov[SOCK_BATCH_MAX];
	char res[96], text[ADDR_TEXT_MAX];
	size_t bytes = 0;
	int r;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	memset(mm, 0, n * sizeof *mm);
	for (size_t i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = m[i].buf, .iov_len = m[i].len };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (m[i].addr)
			mm[i].msg_hdr.msg_name = &m[i].addr->ss, mm[i].msg_hdr.msg_namelen = sizeof m[i].addr->ss;
	}
	/* MSG_WAITFORONE: wait for the first message only, then take what is already there. */
	do
		r = recvmmsg(fd, mm, (unsigned)n, MSG_WAITFORONE, NULL);
	while (r < 0 && errno == EINTR);
	for (int i = 0; i < r; i++) {
		m[i].got = mm[i].msg_len;
		m[i].truncated = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		bytes += m[i].got;
		if (m[i].addr)
			m[i].addr->len = mm[i].msg_hdr.msg_namelen;
		if (m[i].addr && mm[i].msg_hdr.msg_namelen < sizeof(sa_family_t))
			name_unnamed(fd, m[i].addr);
	}
	if (trace_on) {
		if (r > 0 && m[0].addr)
			trace_line("recvmmsg(%d, room for %zu, MSG_WAITFORONE) %s messages, %zu bytes, the first from %s", fd, n,
				   RESULT(r), bytes, addr_format(m[0].addr, text, sizeof text));
		else
			trace_line("recvmmsg(%d, room for %zu, MSG_WAITFORONE) %s%s", fd, n, RESULT(r), r > 0 ? " messages" : "");
	}
	return r;
}
#else
/* Elsewhere (macOS, the BSDs without sendmmsg): one sendto(2) per message, each traced. */
ssize_t sys_sendmmsg(int fd, struct sock_msg *m, size_t n, const struct addr *to)
{
	size_t i;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	for (i = 0; i < n; i++) {
		ssize_t r = sys_sendto(fd, m[i].buf, m[i].len, m[i].addr ? m[i].addr : to);
		if (r < 0)
			return i ? (ssize_t)i : -1;
		m[i].got = (size_t)r;
	}
	return (ssize_t)i;
}

/* One recvfrom(2) that waits, then more that do not (MSG_DONTWAIT), as MSG_WAITFORONE would. */
ssize_t sys_recvmmsg(int fd, struct sock_msg *m, size_t n)
{
	size_t i;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	for (i = 0; i < n; i++) {
		ssize_t r = sys_recvfrom(fd, m[i].buf, m[i].len, i ? MSG_DONTWAIT : 0, m[i].addr, &m[i].truncated);
		if (r < 0)
			return i ? (ssize_t)i : -1;
		m[i].got = (size_t)r;
	}
	return (ssize_t)i;
}
#endif

ssize_t sys_send_segments(int fd, struct sock_msg *m, size_t n, size_t seg, const struct addr *to)
{
#if defined(__linux__) && defined(UDP_SEGMENT)
	struct iovec iov[SOCK_BATCH_MAX];
	union { /* aligned for the cmsg macros */
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = iov, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
	char res[96], text[ADDR_TEXT_MAX];
	uint16_t size = (uint16_t)seg;
	ssize_t r;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ .iov_base = m[i].buf, .iov_len = m[i].len };
	msg.msg_iovlen = n;
	if (to)
		msg.msg_name = (void *)&to->ss, msg.msg_namelen = to->len;
	memset(&control, 0, sizeof control); /* the padding after the 2-byte size goes to the kernel too */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof size);
	memcpy(CMSG_DATA(c), &size, sizeof size);
	do
		r = sendmsg(fd, &msg, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("sendmsg(%d, %zu datagrams of %zu bytes as one, UDP_SEGMENT, %s%s) %s", fd, n, seg,
			   to ? "to " : "to the connected peer", to ? addr_format(to, text, sizeof text) : "", RESULT(r));
	if (r < 0)
		return -1;
	for (size_t i = 0; i < n; i++) /* one send: all of it went, or none */
		m[i].got = m[i].len;
	return (ssize_t)n;
#else
	(void)fd, (void)m, (void)n, (void)seg, (void)to;
	errno = EOPNOTSUPP;
	return -1;
#endif
}
