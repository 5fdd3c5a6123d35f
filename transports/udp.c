/* udp.c - UDP: datagrams over IPv4 or IPv6; no connection, no order, no promise of delivery. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/udp.h>
#endif

#include "core/sys/sys.h"
#include "sockops.h"
#include "udp.h"

/* Is a the wildcard address, 0.0.0.0 or ::, on which a socket hears every address of the host? */
static int is_wildcard(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return 0;
}

#define UDP_PAYLOAD_MAX 65507 /* 65,535 bytes of IPv4 datagram, less its 20-byte IP and 8-byte UDP headers */

/*
 * socket(2), then bind(2). No listen(2): a bound UDP socket already receives
 * from anyone. On a wildcard address the kernel would send each reply from
 * the address its route prefers (127.0.0.1 for a datagram sent to
 * 127.0.0.2), and a client that checks who answers drops it: so the socket
 * asks for each datagram's destination (IP_PKTINFO), and replies leave from
 * there (sendto's from; RFC 1122 4.1.3.5, a UDP reply's source is the
 * request's destination).
 */
static int udp_bind(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0 || sockops_inet_bind(s, a) < 0)
		return -1;
	return is_wildcard(a) ? sys_want_local(s->fd, a->ss.ss_family) : 0;
}

/*
 * Only socket(2). A UDP client needs no handshake and no address of its own:
 * its first sendto(2) makes the kernel pick a port, and the server learns that
 * port from recvfrom(2). Nobody is asked whether a server exists.
 */
static int udp_dial(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0)
		return -1;
	s->peer = *a;
	return 0;
}

/*
 * Does this kernel have UDP segmentation offload? Asked once, with
 * getsockopt(UDP_SEGMENT) (Linux 4.18): a kernel without it would not refuse
 * the UDP_SEGMENT message of sys_send_segments(), it would skip it (as
 * ip_cmsg_send() in net/ipv4/ip_sockglue.c skips every level but SOL_IP and
 * SOL_SOCKET) and send one 64 KB datagram. 1 yes, 0 no, -1 not asked yet.
 */
static int has_gso = -1;

static int gso_available(int fd)
{
#if defined(__linux__) && defined(UDP_SEGMENT)
	int size;
	if (has_gso < 0)
		has_gso = sys_getsockopt_int(fd, IPPROTO_UDP, UDP_SEGMENT, "UDP_SEGMENT", &size) == 0;
	return has_gso;
#else
	(void)fd;
	return 0;
#endif
}

/* How many messages from the first are one size (the last may be shorter), to one address, within one datagram. */
static size_t segment_run(const struct sock *s, const struct sock_msg *m, size_t n)
{
	const struct addr *to = m[0].addr ? m[0].addr : &s->peer;
	size_t seg = m[0].len, total = 0, k;

	for (k = 0; k < n && k < SOCK_BATCH_MAX && seg > 0; k++) {
		const struct addr *a = m[k].addr ? m[k].addr : &s->peer;
		if (m[k].len > seg || total + m[k].len > UDP_PAYLOAD_MAX || (a != to && !addr_equal(a, to)))
			break;
		total += m[k].len;
		if (m[k].len < seg)
			return k + 1; /* a shorter one can only be the last */
	}
	return k;
}

/*
 * Many datagrams in one call. sendmmsg(2) saves the system calls, but each
 * datagram still makes the whole trip down the stack (route, headers, the
 * device). When several in a row are one size and go to one address, UDP's
 * segmentation offload sends them as one: a single trip, cut into datagrams
 * as late as possible (by the network card, or on loopback as they are
 * delivered: udp_queue_rcv_skb() in net/ipv4/udp.c, for a socket that did
 * not ask for UDP_GRO). The receiver still gets them one by one, as they
 * were sent (tests/test_batch.c).
 */
static ssize_t udp_send_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	size_t run = n > 1 ? segment_run(s, m, n) : 0;

	if (run > 1 && gso_available(s->fd)) {
		ssize_t r = sys_send_segments(s->fd, m, run, m[0].len, m[0].addr ? m[0].addr : &s->peer);
		if (r >= 0 || (errno != EINVAL && errno != EIO && errno != EOPNOTSUPP))
			return r;
		/* The route cannot (no checksum offload, a segment beyond its MTU): one by one, in one call. */
	}
	return sockops_send_batch(s, m, n);
}

int udp_coalesce(struct sock *s)
{
	if (s->t != &udp_transport || s->impair) {
		errno = EINVAL; /* the impairment layer decides each datagram's fate: it must see them one by one */
		return -1;
	}
	return sys_set_udp_gro(s->fd);
}

ssize_t udp_recv_coalesced(struct sock *s, void *buf, size_t cap, size_t *seg, struct addr *from)
{
	return sys_recv_coalesced(s->fd, buf, cap, seg, from, NULL);
}

const struct transport udp_transport = {
	.scheme = "udp",
	.summary = "UDP: datagrams over IPv4/IPv6, no connection, no delivery guarantee",
	.domain = AF_UNSPEC,
	.type = SOCK_DGRAM,
	.flags = TRANSPORT_BOUNDARIES,
	.bind = udp_bind,
	.listen = transport_no_listen,
	.accept = transport_no_accept,
	.dial = udp_dial,
	.send = sockops_dgram_send,
	.recv = sockops_dgram_recv,
	.sendto = sockops_dgram_sendto,
	.recvfrom = sockops_dgram_recvfrom,
	.shutdown = sockops_shutdown, /* the kernel answers: see struct transport */
	.getname = sockops_getname,
	.close = sockops_close,
	.set_file_mode = transport_no_set_file_mode,
	.send_batch = udp_send_batch,
	.recv_batch = sockops_recv_batch,
	.options = transport_no_options,
};
