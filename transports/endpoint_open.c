/* endpoint_open.c - from an endpoint to a socket: resolve, bind (set the mode, listen) or dial each address in turn, impair. */
#include "endpoint.h"

#include <errno.h>

#include "impair/impair.h"

/* At most this many addresses are tried for one host name. */
#define MAX_ADDRS 16

/*
 * A server's steps on one address, in the order that leaves no gap: bind,
 * then the file's mode, then listen. A client may connect from the moment
 * listen(2) is called, so the mode must be right before it; bind created the
 * file with no permission at all (af_unix.c), so nobody could before either.
 */
static int open_server(struct sock *s, const struct endpoint *ep, const struct addr *a, struct server_options *o)
{
	sock_init(s);
	if (o->mode >= 0) {
		s->file.has_mode = 1;
		s->file.mode = (mode_t)o->mode;
	}
	o->failed = "bind";
	s->options = ep->options; /* a user-space transport reads its own, and impairs what it is made of */
	int r = sock_bind(s, ep->t, a);
	s->options = NULL;
	if (r < 0)
		return -1;
	o->failed = "chmod";
	if (o->mode >= 0 && sock_set_file_mode(s, (mode_t)o->mode) < 0)
		return -1;
	o->failed = "listen";
	if (sock_is_connected(s) && sock_listen(s, o->backlog) < 0)
		return -1;
	o->failed = "impair";
	return sock_in_user_space(s) ? 0 : impair_attach(s, ep);
}

/* The shared part of listen and dial: resolve, then try each address until one works. */
static int try_each(struct sock *s, const struct endpoint *ep, enum endpoint_role role, struct server_options *o,
		    int connect_ms, int *gai_err)
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
		int r;
		if (role == ENDPOINT_SERVER) {
			r = open_server(s, ep, &addrs[i], o);
		} else {
			sock_init(s);
			s->connect_ms = connect_ms;
			s->options = ep->options; /* a user-space transport reads its own, and impairs what it is made of */
			r = sock_dial(s, ep->t, &addrs[i]);
			s->options = NULL;
			if (r == 0 && !sock_in_user_space(s))
				r = impair_attach(s, ep);
		}
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
	struct server_options o = { .backlog = backlog, .mode = -1 };

	return try_each(s, ep, ENDPOINT_SERVER, &o, 0, gai_err);
}

int sock_open_server(struct sock *s, const struct endpoint *ep, struct server_options *o, int *gai_err)
{
	if (o->mode > 0777) {
		errno = EINVAL;
		return -1;
	}
	return try_each(s, ep, ENDPOINT_SERVER, o, 0, gai_err);
}

int sock_dial_endpoint(struct sock *s, const struct endpoint *ep, int *gai_err)
{
	return try_each(s, ep, ENDPOINT_CLIENT, NULL, 0, gai_err);
}

int sock_dial_endpoint_within(struct sock *s, const struct endpoint *ep, int timeout_ms, int *gai_err)
{
	return try_each(s, ep, ENDPOINT_CLIENT, NULL, timeout_ms, gai_err);
}
