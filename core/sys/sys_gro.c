/* sys_gro.c - UDP's receive offload (UDP_GRO): datagrams that travelled together read in one call, with the size to cut them by. */
#include "sys.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/udp.h>
#endif

#include "sys_private.h"

/*
 * The receiving half of sys_send_segments(). A sender's UDP_SEGMENT message
 * crosses loopback as one packet; a socket that asked for UDP_GRO (Linux
 * 5.0, udp(7)) takes it whole, where another gets it cut into its datagrams
 * on the way in (udp_queue_rcv_skb(), net/ipv4/udp.c): one buffer, one copy
 * and one wake-up instead of one per datagram. The datagrams are one after
 * another, each gso_size bytes but the last, and a control message says the
 * size. A network card that coalesces (GRO) does the same with datagrams of
 * one flow that arrive together.
 */
#if defined(__linux__) && defined(UDP_GRO)

int sys_set_udp_gro(int fd)
{
	return sys_setsockopt_int(fd, IPPROTO_UDP, UDP_GRO, "UDP_GRO", 1);
}

/* The size each datagram of m's payload has: UDP_GRO's control message, or (none) the whole of it. */
static size_t segment_size(struct msghdr *m, size_t total)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		int size;
		if (c->cmsg_level != IPPROTO_UDP || c->cmsg_type != UDP_GRO || c->cmsg_len < CMSG_LEN(sizeof size))
			continue;
		memcpy(&size, CMSG_DATA(c), sizeof size);
		if (size > 0 && (size_t)size < total)
			return (size_t)size;
	}
	return total;
}

ssize_t sys_recv_coalesced(int fd, void *buf, size_t cap, size_t *seg, struct addr *from, int *truncated)
{
	union { /* aligned for the cmsg macros */
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr m;
	char res[96], text[ADDR_TEXT_MAX], what[96] = "";
	ssize_t r;

	do {
		m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
				     .msg_controllen = sizeof control.buf };
		if (from)
			m.msg_name = &from->ss, m.msg_namelen = sizeof from->ss;
		r = recvmsg(fd, &m, 0);
	} while (r < 0 && errno == EINTR);
	if (r >= 0) {
		*seg = segment_size(&m, (size_t)r);
		if (from)
			from->len = m.msg_namelen;
		if (truncated)
			*truncated = (m.msg_flags & MSG_TRUNC) != 0;
	}
	if (trace_on) {
		if (r > 0 && *seg < (size_t)r)
			snprintf(what, sizeof what, ": %zu datagrams of %zu bytes%s", ((size_t)r + *seg - 1) / *seg, *seg,
				 (size_t)r % *seg ? ", the last shorter" : "");
		trace_line("recvmsg(%d, room for %zu bytes, UDP_GRO) %s%s%s%s%s", fd, cap, RESULT(r), what,
			   r >= 0 && from ? ", from " : "", r >= 0 && from ? addr_format(from, text, sizeof text) : "",
			   r >= 0 && (m.msg_flags & MSG_TRUNC) ? ", MSG_TRUNC" : "");
	}
	return r;
}

#else

int sys_set_udp_gro(int fd)
{
	(void)fd;
	errno = ENOPROTOOPT; /* no UDP_GRO here: datagrams arrive one by one, and are read so */
	return -1;
}

ssize_t sys_recv_coalesced(int fd, void *buf, size_t cap, size_t *seg, struct addr *from, int *truncated)
{
	ssize_t r = sys_recvfrom(fd, buf, cap, 0, from, truncated);

	if (r >= 0)
		*seg = (size_t)r;
	return r;
}

#endif
