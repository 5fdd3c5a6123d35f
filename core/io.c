/* io.c - receive with a timeout, receive a whole reply, and send while receiving on a stream. */
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "errors.h"
#include "core/sys/sys.h"
#include "transport.h"

int sock_set_recv_timeout(struct sock *s, int timeout_ms)
{
	return sys_set_recv_timeout(s->fd, timeout_ms);
}

/* A blocking receive that timed out fails with EAGAIN: say what that means. */
static ssize_t name_timeout(ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errno = SL_ETIMEDOUT_REPLY;
	return n;
}

ssize_t sock_recv_reply(struct sock *s, void *buf, size_t len, int *truncated)
{
	return name_timeout(sock_recv(s, buf, len, truncated));
}

int sock_recv_exact(struct sock *s, void *buf, size_t len, size_t *got)
{
	for (*got = 0; *got < len;) {
		ssize_t n = name_timeout(sock_recv(s, (char *)buf + *got, len - *got, NULL));
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = SL_ESHORT;
			return -1;
		}
		*got += (size_t)n;
	}
	return 0;
}

static int exchange(struct sock *s, const char *out, size_t outlen, char *in, size_t inlen, size_t *got,
		    int timeout_ms)
{
	size_t sent = 0;

	while (*got < inlen || sent < outlen) {
		struct pollfd p = { .fd = s->fd,
				    .events = (short)((*got < inlen ? POLLIN : 0) | (sent < outlen ? POLLOUT : 0)) };
		int r = sys_poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = SL_ETIMEDOUT_REPLY;
			return -1;
		}
		if ((p.revents & (POLLOUT | POLLERR | POLLHUP)) && sent < outlen) {
			ssize_t n = sock_send(s, out + sent, outlen - sent);
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			sent += n > 0 ? (size_t)n : 0;
		}
		if ((p.revents & (POLLIN | POLLERR | POLLHUP)) && *got < inlen) {
			ssize_t n = sock_recv(s, in + *got, inlen - *got, NULL);
			if (n == 0) {
				errno = SL_ESHORT;
				return -1;
			}
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			*got += n > 0 ? (size_t)n : 0;
		}
	}
	return 0;
}

int sock_exchange(struct sock *s, const void *out, size_t outlen, void *in, size_t inlen, size_t *got,
		  int timeout_ms)
{
	*got = 0;
	if (sys_set_nonblocking(s->fd, 1) < 0)
		return -1;
	int r = exchange(s, out, outlen, in, inlen, got, timeout_ms);
	int saved = errno;
	if (sys_set_nonblocking(s->fd, 0) < 0 && r == 0)
		return -1;
	errno = saved;
	return r;
}

size_t sock_message_max(struct sock *s, size_t want)
{
	struct addr a = s->peer;
	int have;

	if (!sock_keeps_boundaries(s))
		return SIZE_MAX; /* a stream has no messages */
	if (a.ss.ss_family == 0 && sys_getsockname(s->fd, &a) < 0)
		return 0;
	if (a.ss.ss_family == AF_INET)
		return IO_UDP4_MAX;
	if (a.ss.ss_family == AF_INET6)
		return IO_UDP6_MAX;
	/*
	 * AF_UNIX: Linux refuses a datagram (or seqpacket message) larger than
	 * the sender's SO_SNDBUF less 32 bytes (unix_dgram_sendmsg in
	 * net/unix/af_unix.c); getsockopt reports the buffer doubled, as the
	 * kernel keeps it, and setsockopt doubles what it is given (socket(7)).
	 */
	if (sys_getsockopt_int(s->fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", &have) < 0)
		return 0;
	if (have >= 32 && (size_t)have - 32 < want && want <= INT_MAX / 2 &&
	    sys_setsockopt_int(s->fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", (int)want) == 0 &&
	    sys_getsockopt_int(s->fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", &have) < 0)
		return 0;
	return have >= 32 ? (size_t)have - 32 : 0;
}
