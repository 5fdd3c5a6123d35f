/* bench_raw_batch.c - the baseline's many-datagrams-per-call system calls, written plainly: sendmmsg, recvmmsg, UDP_SEGMENT. */
#ifdef __linux__
#define _GNU_SOURCE /* sendmmsg(2), recvmmsg(2), struct mmsghdr */
#endif
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/udp.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "bench_raw.h"

/*
 * One system call, as socklab's path makes (core/sys/sys_batch.c): musl's
 * sendmmsg() is a loop of sendmsg() on 64-bit systems. The array here is
 * zeroed, padding included, with no control data: the kernel's layout.
 */
#if defined(__linux__) && !defined(__GLIBC__) && defined(SYS_sendmmsg)
#define SENDMMSG(fd, mm, n, flags) ((int)syscall(SYS_sendmmsg, (fd), (mm), (n), (flags)))
#else
#define SENDMMSG sendmmsg
#endif

/*
 * What a plain C program does to send many datagrams at once, and what
 * socklab's udp and unix tables do (udp_send_batch, sockops_send_batch), so
 * that the two paths stay the same system calls: on UDP one sendmsg() whose
 * payload the kernel cuts into datagrams (UDP_SEGMENT) where the kernel has
 * it, else sendmmsg(); on the receiving side recvmmsg(MSG_WAITFORONE).
 */
#define UDP_PAYLOAD_MAX 65507 /* one segmented send is one UDP datagram on its way down */

#if defined(__linux__) && defined(UDP_SEGMENT)
static int gso = -1; /* does this kernel have UDP_SEGMENT (Linux 4.18)? -1: not asked yet */

static ssize_t send_segments(int fd, struct iovec *iov, size_t k, size_t size, const struct addr *to)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_name = (void *)&to->ss, .msg_namelen = to->len, .msg_iov = iov, .msg_iovlen = k,
			      .msg_control = control.buf, .msg_controllen = sizeof control.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	uint16_t seg = (uint16_t)size;
	ssize_t r;

	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof seg);
	memcpy(CMSG_DATA(c), &seg, sizeof seg);
	do
		r = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : (ssize_t)k;
}
#endif

ssize_t raw_send_batch(int fd, int udp, void *buf, size_t size, size_t k, const struct addr *to)
{
#ifdef __linux__
	struct iovec iov[BENCH_BATCH_MAX];
	struct mmsghdr mm[BENCH_BATCH_MAX];
	int r;

	k = k < BENCH_BATCH_MAX ? k : BENCH_BATCH_MAX;
	for (size_t i = 0; i < k; i++)
		iov[i] = (struct iovec){ .iov_base = buf, .iov_len = size };
#ifdef UDP_SEGMENT
	if (udp && k > 1 && gso < 0) {
		int v;
		socklen_t len = sizeof v;
		gso = getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &v, &len) == 0;
	}
	if (udp && k > 1 && gso == 1) {
		size_t most = UDP_PAYLOAD_MAX / size;
		ssize_t n = send_segments(fd, iov, k < most ? k : most, size, to);
		if (n >= 0 || (errno != EINVAL && errno != EIO && errno != EOPNOTSUPP))
			return n;
	}
#else
	(void)udp;
#endif
	memset(mm, 0, k * sizeof *mm);
	for (size_t i = 0; i < k; i++) {
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = (void *)&to->ss;
		mm[i].msg_hdr.msg_namelen = to->len;
	}
	do
		r = SENDMMSG(fd, mm, (unsigned)k, RAW_SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	return r;
#else
	size_t i;
	(void)udp;
	for (i = 0; i < k && i < BENCH_BATCH_MAX; i++)
		if (raw_sendto(fd, buf, size, to) < 0)
			return i ? (ssize_t)i : -1;
	return (ssize_t)i;
#endif
}

ssize_t raw_recv_batch(int fd, unsigned char (*buf)[BENCH_UNIX_MSG], struct addr *from, size_t *len, size_t n)
{
#ifdef __linux__
	struct iovec iov[BENCH_BATCH_MAX];
	struct mmsghdr mm[BENCH_BATCH_MAX];
	int r;

	n = n < BENCH_BATCH_MAX ? n : BENCH_BATCH_MAX;
	memset(mm, 0, n * sizeof *mm);
	for (size_t i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = BENCH_UNIX_MSG };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &from[i].ss;
		mm[i].msg_hdr.msg_namelen = sizeof from[i].ss;
	}
	do
		r = recvmmsg(fd, mm, (unsigned)n, MSG_WAITFORONE, NULL);
	while (r < 0 && errno == EINTR);
	for (int i = 0; i < r; i++) {
		len[i] = mm[i].msg_len;
		from[i].len = mm[i].msg_hdr.msg_namelen;
	}
	return r;
#else
	size_t i;
	for (i = 0; i < n && i < BENCH_BATCH_MAX; i++) { /* the first waits, the others take what is there */
		socklen_t sl = sizeof from[i].ss;
		ssize_t r;
		do
			r = recvfrom(fd, buf[i], BENCH_UNIX_MSG, i ? MSG_DONTWAIT : 0, (struct sockaddr *)&from[i].ss, &sl);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return i ? (ssize_t)i : -1;
		from[i].len = sl;
		len[i] = (size_t)r;
	}
	return (ssize_t)i;
#endif
}
