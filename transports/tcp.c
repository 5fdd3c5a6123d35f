/* tcp.c - TCP: a reliable, ordered byte stream over IPv4 or IPv6, with a connection per client. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "sockops.h"

/*
 * socket(2), then bind(2). SO_REUSEADDR lets a restarted server bind its port
 * while connections of the last run linger in TIME_WAIT (that state is how TCP
 * makes sure late packets of an old connection cannot enter a new one).
 */
static int tcp_bind(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0)
		return -1;
	if (sys_setsockopt_int(s->fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0)
		return -1;
	return sockops_inet_bind(s, a);
}

/* socket(2), then connect(2): the three-way handshake, or ECONNREFUSED at once when nobody listens. */
static int tcp_dial(struct sock *s, const struct addr *a)
{
	return sockops_connect(s, a);
}

const struct transport tcp_transport = {
	.scheme = "tcp",
	.summary = "TCP: a reliable byte stream over IPv4/IPv6, a connection per client",
	.domain = AF_UNSPEC,
	.type = SOCK_STREAM,
	.flags = TRANSPORT_CONNECTED | TRANSPORT_RELIABLE,
	.bind = tcp_bind,
	.listen = sockops_listen,
	.accept = sockops_accept,
	.dial = tcp_dial,
	.send = sockops_send,
	.recv = sockops_stream_recv,
	.sendto = transport_no_sendto,
	.recvfrom = transport_no_recvfrom,
	.shutdown = sockops_shutdown,
	.getname = sockops_getname,
	.close = sockops_close,
	.set_file_mode = transport_no_set_file_mode,
	.send_batch = transport_stream_send_batch,
	.recv_batch = transport_stream_recv_batch,
	.options = transport_no_options,
};
