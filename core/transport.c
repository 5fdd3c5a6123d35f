/* transport.c - the stubs for missing operations, and the helpers every transport shares. */
#include "transport.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "core/sys/trace.h"
#include "errors.h"

unsigned long transport_stub_calls;

/* Every stub answers through here: counted, and said under --trace, so that its errno is never taken for the kernel's. */
static int stub(const char *op, int err)
{
	transport_stub_calls++;
	if (trace_on)
		trace_line("  (socklab: this transport has no %s(): %s from socklab's stub, not from the kernel)", op,
			   errno_name(err));
	errno = err;
	return -1;
}

/* Datagrams have no connections to listen for. */
int transport_no_listen(struct sock *s, int backlog)
{
	(void)s, (void)backlog;
	return stub("listen", EOPNOTSUPP);
}

/* Datagrams have no connections to accept: every datagram says who sent it. */
int transport_no_accept(struct sock *s, struct sock *out)
{
	(void)s, (void)out;
	return stub("accept", EOPNOTSUPP);
}

/* A connection already knows its peer: there is nobody else to send to. */
ssize_t transport_no_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to,
			    const struct addr *from)
{
	(void)s, (void)buf, (void)len, (void)to, (void)from;
	return stub("sendto", EOPNOTSUPP);
}

/* A connection's bytes all come from its one peer. */
ssize_t transport_no_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
			      int *truncated)
{
	(void)s, (void)buf, (void)len, (void)from, (void)local, (void)truncated;
	return stub("recvfrom", EOPNOTSUPP);
}

/* Only a socket file has a mode to change: an address and port, or an abstract name, has none. */
int transport_no_set_file_mode(struct sock *s, mode_t mode)
{
	(void)s, (void)mode;
	return stub("chmod", EINVAL);
}

ssize_t transport_stream_send_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	size_t i;

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	for (i = 0; i < n; i++) {
		ssize_t r = sock_send(s, m[i].buf, m[i].len);
		if (r < 0)
			return i ? (ssize_t)i : -1;
		m[i].got = (size_t)r;
		if (m[i].got < m[i].len)
			return (ssize_t)i + 1; /* in part: the rest must go before the next buffer */
	}
	return (ssize_t)i;
}

ssize_t transport_stream_recv_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	if (n == 0)
		return 0;
	ssize_t r = sock_recv(s, m[0].buf, m[0].len, &m[0].truncated);
	if (r < 0)
		return -1;
	m[0].got = (size_t)r;
	if (m[0].addr)
		*m[0].addr = s->peer; /* a connection's bytes all come from its peer */
	return 1;
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

void sock_abandon(struct sock *s)
{
	if (s->fd >= 0)
		sys_close(s->fd);
	if (s->file.lock_fd > 2)
		close(s->file.lock_fd); /* a lock taken with flock(2) ends with its descriptor */
	s->fd = -1;
	s->file.lock_fd = 0;
	s->file.path[0] = '\0';
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
