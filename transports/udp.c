/* udp.c - UDP: datagrams over IPv4 or IPv6; no connection, no order, no promise of delivery. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "sockops.h"

/* Is a the wildcard address, 0.0.0.0 or ::, on which a socket hears every address of the host? */
static int is_wildcard(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return 0;
}

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
	.options = transport_no_options,
};
