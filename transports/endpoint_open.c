/* endpoint_open.c - from an endpoint to a socket: resolve, bind or dial each address in turn, impair. */
#include "endpoint.h"

#include <errno.h>

#include "impair/impair.h"

/* At most this many addresses are tried for one host name. */
#define MAX_ADDRS 16

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
		s->options = ep->options; /* a user-space transport reads its own, and impairs what it is made of */
		int r = role == ENDPOINT_SERVER ? sock_bind(s, ep->t, &addrs[i]) : sock_dial(s, ep->t, &addrs[i]);
		s->options = NULL;
		if (r == 0 && role == ENDPOINT_SERVER && sock_is_connected(s))
			r = sock_listen(s, backlog);
		if (r == 0 && !sock_in_user_space(s))
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
