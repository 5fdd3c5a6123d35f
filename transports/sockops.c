/* sockops.c - the socket operations that are the same for several transports. */
#include "sockops.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "core/sys/trace.h"

/* A message longer than the buffer: report it, or fail when the caller did not ask. */
static ssize_t report_truncation(ssize_t n, int trunc, int *truncated)
{
	if (truncated)
		*truncated = n >= 0 && trunc;
	else if (n >= 0 && trunc) {
		errno = EMSGSIZE; /* the rest of the message is gone: never lose it silently */
		return -1;
	}
	return n;
}

int sockops_socket(struct sock *s, const struct addr *a)
{
	s->fd = sys_socket(a->ss.ss_family, s->t->type, 0);
	return s->fd < 0 ? -1 : 0;
}

int sockops_getname(struct sock *s, struct addr *out)
{
	return sys_getsockname(s->fd, out);
}

int sockops_close(struct sock *s)
{
	int r = sys_close(s->fd);

	s->fd = -1;
	return r;
}

int sockops_listen(struct sock *s, int backlog)
{
	return sys_listen(s->fd, backlog);
}

int sockops_accept(struct sock *s, struct sock *out)
{
	sock_init(out);
	out->fd = sys_accept(s->fd, &out->peer);
	if (out->fd < 0)
		return -1;
	out->t = s->t;
	out->flags = s->flags;
	return 0;
}

int sockops_shutdown(struct sock *s, int how)
{
	return sys_shutdown(s->fd, how);
}

ssize_t sockops_send(struct sock *s, const void *buf, size_t len)
{
	return sys_send(s->fd, buf, len);
}

ssize_t sockops_stream_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	if (truncated)
		*truncated = 0;
	return sys_recv(s->fd, buf, len, 0);
}

ssize_t sockops_msg_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	int trunc = 0;
	ssize_t n = sys_recvfrom(s->fd, buf, len, 0, NULL, &trunc);

	return report_truncation(n, trunc, truncated);
}

ssize_t sockops_dgram_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	return sys_sendto(s->fd, buf, len, to);
}

ssize_t sockops_dgram_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, int *truncated)
{
	int trunc = 0;
	ssize_t n = sys_recvfrom(s->fd, buf, len, 0, from, &trunc);

	return report_truncation(n, trunc, truncated);
}

ssize_t sockops_dgram_send(struct sock *s, const void *buf, size_t len)
{
	return sys_sendto(s->fd, buf, len, &s->peer);
}

ssize_t sockops_dgram_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	struct addr from;
	int trunc;

	for (;;) {
		ssize_t n = sys_recvfrom(s->fd, buf, len, 0, &from, &trunc);
		if (n < 0 || addr_equal(&from, &s->peer))
			return report_truncation(n, trunc, truncated);
		/* Anyone may send to an unconnected socket: skip what the peer did not send. */
		if (trace_on)
			trace_line("  (ignored: that datagram is not from the peer this socket dialed)");
	}
}

int sockops_connect(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0)
		return -1;
	if (sys_connect(s->fd, a) < 0)
		return -1; /* the caller closes s */
	s->peer = *a;
	return 0;
}

int sockops_inet_bind(struct sock *s, const struct addr *a)
{
	if (a->ss.ss_family == AF_INET6 && sys_setsockopt_int(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", 0) < 0)
		return -1;
	return sys_bind(s->fd, a);
}

ssize_t sockops_send_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	/* A dialed datagram socket sends to its peer; a connection's peer is the kernel's (NULL). */
	return sys_sendmmsg(s->fd, m, n, sock_is_connected(s) || s->peer.len == 0 ? NULL : &s->peer);
}

ssize_t sockops_recv_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	return sys_recvmmsg(s->fd, m, n);
}
