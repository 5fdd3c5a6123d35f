/* udp.c - UDP: datagrams over IPv4 or IPv6; no connection, no order, no promise of delivery. */
#include <sys/socket.h>

#include "sockops.h"

/* socket(2), then bind(2). No listen(2): a bound UDP socket already receives from anyone. */
static int udp_bind(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0)
		return -1;
	return sockops_inet_bind(s, a);
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
	.shutdown = transport_no_shutdown,
	.getname = sockops_getname,
	.close = sockops_close,
	.set_file_mode = transport_no_set_file_mode,
	.options = transport_no_options,
};
