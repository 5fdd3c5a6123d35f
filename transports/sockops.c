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

ssize_t sockops_dgram_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to,
			     const struct addr *from)
{
	if (from && from->len > 0) {
		ssize_t n = sys_sendto_from(s->fd, buf, len, to, from);
		if (n >= 0 || errno != EINVAL)
			return n;
		/* A datagram sent to a broadcast address: that is no source for a reply. The kernel chooses one. */
	}
	return sys_sendto(s->fd, buf, len, to);
}

ssize_t sockops_dgram_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
			       int *truncated)
{
	int trunc = 0;
	ssize_t n = sys_recvfrom_local(s->fd, buf, len, 0, from, local, &trunc);

	return report_truncation(n, trunc, truncated);
}

ssize_t sockops_dgram_send(struct sock *s, const void *buf, size_t len)
{
	return sys_sendto(s->fd, buf, len, &s->peer);
}

/*
 * Anyone may send to an unconnected socket: what the dialed peer did not send
 * is skipped. The socket's receive timeout (SO_RCVTIMEO) stays a deadline
 * from the start of this call: a stray datagram must not start it again, or
 * a stream of them would keep the caller waiting for ever.
 */
ssize_t sockops_dgram_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	long long start = sys_now_ms(), deadline = 0;
	struct addr from;
	int trunc;

	for (;;) {
		ssize_t n = sys_recvfrom(s->fd, buf, len, 0, &from, &trunc);
		if (n < 0 || addr_equal(&from, &s->peer))
			return report_truncation(n, trunc, truncated);
		if (trace_on)
			trace_line("  (ignored: that datagram is not from the peer this socket dialed)");
		if (deadline == 0) {
			int timeout = sys_get_recv_timeout(s->fd);
			deadline = timeout > 0 ? start + timeout : -1; /* -1: no timeout, wait as long as it takes */
		}
		if (deadline > 0) {
			long long left = deadline - sys_now_ms();
			int r = left > 0 ? sys_wait(s->fd, 0, (int)left) : 0;
			if (r <= 0) {
				if (r == 0)
					errno = EAGAIN; /* what the timeout itself would have said */
				return -1;
			}
		}
	}
}

int sockops_connect(struct sock *s, const struct addr *a)
{
	if (sockops_socket(s, a) < 0)
		return -1;
	if ((s->connect_ms > 0 ? sys_connect_within(s->fd, a, s->connect_ms) : sys_connect(s->fd, a)) < 0)
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
