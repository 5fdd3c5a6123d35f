/* rdt_open.c - how an rdt socket comes to be: bind and listen (a server), accept, dial (the handshake). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "rdt_sock.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "core/sys/trace.h"
#include "transports/sockops.h"

/* Frees what a failed bind or dial made, keeping its errno. */
static int give_up(struct rdt_driver *d, struct transport_state *h)
{
	int saved = errno;

	rdt_driver_free(d);
	free(h);
	errno = saved;
	return -1;
}

/*
 * A UDP socket's receive buffer drops what does not fit, and a server's one
 * socket takes every client's bursts: like QUIC servers, rdt asks for room
 * (SO_RCVBUFFORCE where the process may, else SO_RCVBUF, which the kernel caps
 * at net.core.rmem_max). What it gets is only less loss to repair: no error.
 */
static void ask_room(struct rdt_driver *d)
{
#ifdef SO_RCVBUFFORCE
	if (sys_setsockopt_int(d->udp.fd, SOL_SOCKET, SO_RCVBUFFORCE, "SO_RCVBUFFORCE", RDT_UDP_RCVBUF) == 0)
		return;
#endif
	(void)sys_setsockopt_int(d->udp.fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", RDT_UDP_RCVBUF);
}

/* The UDP socket rdt is made of: the udp transport's, impaired as the endpoint asks, never blocking. */
static int open_udp(struct rdt_driver *d, const struct addr *a, const char *options, int server)
{
	int r = server ? sock_bind(&d->udp, &udp_transport, a) : sock_dial(&d->udp, &udp_transport, a);

	/*
	 * A client's UDP socket is connect()ed to the server too: the kernel then
	 * reports an ICMP "port unreachable" to it as ECONNREFUSED (udp(7)), which
	 * ends a handshake with nobody there (rdt_driver.c).
	 */
	if (r < 0 || (!server && sys_connect(d->udp.fd, a) < 0) || rdt_driver_impair(d, options) < 0)
		return -1;
	ask_room(d);
	if (!server)
		d->gro = udp_coalesce(&d->udp) == 0; /* not when impaired: see rdt_burst.c */
	return sock_set_nonblocking(&d->udp);
}

/* A server: a UDP socket bound to a, and the descriptor that will be readable when a connection waits. */
/* a is one address, not every address of the host (0.0.0.0, ::). */
static int one_addr(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return 0;
}

int rdt_sock_bind(struct sock *s, const struct addr *a)
{
	struct rdt_driver *d = rdt_driver_new(s->options, 1);
	struct transport_state *h = calloc(1, sizeof *h);

	if (!d || !h || open_udp(d, a, s->options, 1) < 0 || sys_socketpair(AF_UNIX, SOCK_SEQPACKET, d->acc) < 0)
		return give_up(d, h);
	h->d = d;
	d->refs = 1;
	d->one_addr = one_addr(a);
	if (d->one_addr) { /* where every datagram arrives: a batch read (rdt_burst.c) carries no local address */
		int was = trace_mute(1);
		d->one_addr = sock_getname(&d->udp, &d->here) == 0;
		trace_mute(was);
	}
	if (d->one_addr)
		d->gro = udp_coalesce(&d->udp) == 0; /* not when impaired: see rdt_burst.c */
	s->state = h;
	s->fd = d->acc[0];
	d->acc[0] = -1; /* the application's now: sock_close closes it */
	return 0;
}

/* The protocol thread takes the UDP socket: from now on SYNs are answered (those that came before too). */
int rdt_sock_listen(struct sock *s, int backlog)
{
	struct rdt_driver *d = s->state->d;
	int r = 0;

	if (s->state->c) {
		errno = EINVAL; /* a connection does not listen, as listen(2) on a connected TCP socket */
		return -1;
	}
	rdt_lock();
	d->backlog = backlog < 1 ? 1 : backlog > RDT_BACKLOG_MAX ? RDT_BACKLOG_MAX : backlog;
	d->listening = 1;
	if (!d->hubbed)
		r = rdt_hub_add(d);
	rdt_hub_wake();
	rdt_unlock();
	return r;
}

/* The application's side of a connection the thread holds: its descriptor, peer and state. */
static void hand_over(struct sock *s, const struct transport *t, unsigned flags, struct transport_state *h)
{
	struct rdt_chan *c = h->c;

	sock_init(s);
	s->t = t;
	s->flags = flags;
	s->fd = c->app_fd;
	s->peer = c->entry.addr;
	s->state = h;
	c->app_fd = -1;
	c->handed = 1;
	h->d->refs++;
	if (trace_on) {
		char peer[ADDR_TEXT_MAX];
		trace_line("  (rdt: connected with %s over UDP socket %d, carried by socklab's protocol thread; "
			   "this program reads and writes descriptor %d, one end of a socketpair)",
			   addr_format(&s->peer, peer, sizeof peer), h->d->udp.fd, s->fd);
	}
}

/* Waits (unless non-blocking) for a connection whose handshake is over, as accept(2) does. */
int rdt_sock_accept(struct sock *s, struct sock *out)
{
	struct rdt_driver *d = s->state->d;
	struct transport_state *h = calloc(1, sizeof *h);
	char b;

	if (!h)
		return -1;
	if (s->state->c) {
		free(h);
		errno = EINVAL; /* accept(2) on a socket that is not listening */
		return -1;
	}
	for (;;) {
		int was = trace_mute(1);
		ssize_t n = sys_recv(s->fd, &b, 1, MSG_PEEK); /* waits as the descriptor says: blocking or not */
		trace_mute(was);
		if (n <= 0) {
			free(h);
			if (n == 0)
				errno = EINVAL; /* the thread's end is gone: the listener is not listening */
			return -1;
		}
		rdt_lock();
		h->c = rdt_demux_pop(d, s->fd);
		if (h->c) {
			h->d = d;
			hand_over(out, s->t, s->flags, h);
		}
		rdt_unlock();
		if (h->c)
			return 0;
	}
}

/* A failed dial: the thread resets and frees the connection, then lets go of the driver, which is freed here. */
static int dial_failed(struct rdt_driver *d, struct rdt_chan *c, struct transport_state *h, int err)
{
	if (!rdt_closed(c->core))
		rdt_abort(c->core); /* the caller's limit came first: tell the server, if it heard us */
	c->app_closed = 1;
	rdt_chan_touch(c);
	rdt_hub_wake();
	while (d->hubbed && rdt_hub_wait(-1) == 0)
		;
	rdt_unlock();
	errno = err;
	return give_up(d, h);
}

/* A client: the protocol thread sends the SYN; this thread waits for the handshake's end, as connect(2) does. */
int rdt_sock_dial(struct sock *s, const struct addr *a)
{
	struct rdt_driver *d = rdt_driver_new(s->options, 0);
	struct transport_state *h = calloc(1, sizeof *h);
	struct rdt_chan *c = NULL;

	if (!d || !h || open_udp(d, a, s->options, 0) < 0 || !(c = rdt_chan_new(d, a)))
		return give_up(d, h);
	c->handed = 1; /* this thread holds it: never freed under it */
	rdt_demux_link(d, c); /* a client's list holds one: it cannot fail */
	long long now = rdt_now(), deadline = s->connect_ms > 0 ? now + s->connect_ms * 1000LL : -1;
	(void)rdt_connect(c->core, rdt_random(), now);
	rdt_lock();
	if (rdt_hub_add(d) < 0) {
		rdt_unlock();
		return give_up(d, h);
	}
	rdt_chan_touch(c);
	rdt_hub_wake();
	while (!rdt_established(c->core) && !rdt_closed(c->core) && rdt_hub_wait(deadline) == 0)
		;
	if (!rdt_established(c->core)) /* the SYN's retries ran out, or the caller's limit came first */
		return dial_failed(d, c, h, c->error ? c->error : rdt_error(c->core) ? rdt_error(c->core) : ETIMEDOUT);
	h->d = d;
	h->c = c;
	hand_over(s, s->t, s->flags, h);
	s->peer = *a;
	rdt_unlock();
	return 0;
}

