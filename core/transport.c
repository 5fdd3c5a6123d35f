/* transport.c - the stubs for missing operations, and the helpers every transport shares. */
#include "transport.h"

#include <errno.h>
#include <string.h>

#include "core/sys/sys.h"
#include "errors.h"

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

/* Only a socket file has a mode to change: an address and port, or an abstract name, has none. */
int transport_no_set_file_mode(struct sock *s, mode_t mode)
{
	(void)s, (void)mode;
	errno = EINVAL;
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

/* Every option after '?' belongs to the impairment layer (transports/impair/impair.h). */
int transport_no_options(const char *text, char *rest, size_t restlen, char *why, size_t whylen)
{
	if (strlen(text) >= restlen)
		return fail_why(why, whylen, "options after '?' are %zu characters; the most is %zu", strlen(text),
				restlen - 1);
	memcpy(rest, text, strlen(text) + 1);
	return 0;
}
