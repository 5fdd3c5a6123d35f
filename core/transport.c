/* transport.c - the stubs for missing operations, and the helpers every transport shares. */
#include "transport.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "transports/endpoint.h"
#include "transports/impair/impair.h"
#include "core/sys/sys.h"

/* At most this many addresses are tried for one host name. */
#define MAX_ADDRS 16

/* Datagrams have no connections to listen for. */
int transport_no_listen(struct sock *s, int backlog)
{
	(void)s, (void)backlog;
	errno = EOPNOTSUPP;
	return -1;
}

/* Datagrams have no connections to accept: every datagram says who sent it. */
int transport_no_accept(struct sock *s, struct sock *out)
{
	(void)s, (void)out;
	errno = EOPNOTSUPP;
	return -1;
}

/* A connection already knows its peer: there is nobody else to send to. */
ssize_t transport_no_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	(void)s, (void)buf, (void)len, (void)to;
	errno = EOPNOTSUPP;
	return -1;
}

/* A connection's bytes all come from its one peer. */
ssize_t transport_no_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, int *truncated)
{
	(void)s, (void)buf, (void)len, (void)from, (void)truncated;
	errno = EOPNOTSUPP;
	return -1;
}

/* Datagrams have no direction to close: nothing tells the peer. */
int transport_no_shutdown(struct sock *s, int how)
{
	(void)s, (void)how;
	errno = EOPNOTSUPP;
	return -1;
}

void sock_init(struct sock *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

ssize_t sock_send_all(struct sock *s, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	for (;;) { /* at least one send, so that an empty message is sent too */
		ssize_t n = sock_send(s, p + done, len - done);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (sys_wait(s->fd, 1, -1) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		done += (size_t)n;
		if (done >= len)
			return (ssize_t)done;
	}
}

int sock_set_nonblocking(struct sock *s)
{
	return sys_set_nonblocking(s->fd, 1);
}

/* The shared part of listen and dial: resolve, then try each address until one works. */
static int try_each(struct sock *s, const struct endpoint *ep, enum endpoint_role role, int backlog, int *gai_err)
{
	struct addr addrs[MAX_ADDRS];
	size_t n;
	int err = 0;

	*gai_err = 0;
	int rc = endpoint_resolve(ep, role, addrs, MAX_ADDRS, &n);
	if (rc != 0) {
		*gai_err = rc;
		errno = ENOENT;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sock_init(s);
		int r = role == ENDPOINT_SERVER ? sock_bind(s, ep->t, &addrs[i]) : sock_dial(s, ep->t, &addrs[i]);
		if (r == 0 && role == ENDPOINT_SERVER && sock_is_connected(s))
			r = sock_listen(s, backlog);
		if (r == 0)
			r = impair_attach(s, ep);
		if (r == 0)
			return 0;
		err = errno;
		sock_close(s);
	}
	errno = err;
	return -1;
}

int sock_listen_endpoint(struct sock *s, const struct endpoint *ep, int backlog, int *gai_err)
{
	return try_each(s, ep, ENDPOINT_SERVER, backlog, gai_err);
}

int sock_dial_endpoint(struct sock *s, const struct endpoint *ep, int *gai_err)
{
	return try_each(s, ep, ENDPOINT_CLIENT, 0, gai_err);
}
