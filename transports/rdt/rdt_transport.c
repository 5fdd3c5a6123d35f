/* rdt_transport.c - rdt as a transport table: what bind, listen, accept, dial, send, recv, shutdown and close do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "rdt_sock.h"
#include "rdt_transport.h"
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

/* The UDP socket rdt is made of: the udp transport's, impaired as the endpoint asks, never blocking. */
static int open_udp(struct rdt_driver *d, const struct addr *a, const char *options, int server)
{
	int r = server ? sock_bind(&d->udp, &udp_transport, a) : sock_dial(&d->udp, &udp_transport, a);

	if (r < 0 || rdt_driver_impair(d, options) < 0)
		return -1;
	return sock_set_nonblocking(&d->udp);
}

/* A server: a UDP socket bound to a, and the descriptor that will be readable when a connection waits. */
static int rdt_sock_bind(struct sock *s, const struct addr *a)
{
	struct rdt_driver *d = rdt_driver_new(s->options, 1);
	struct transport_state *h = calloc(1, sizeof *h);

	if (!d || !h || open_udp(d, a, s->options, 1) < 0 || sys_socketpair(AF_UNIX, SOCK_SEQPACKET, d->acc) < 0)
		return give_up(d, h);
	h->d = d;
	d->refs = 1;
	s->state = h;
	s->fd = d->acc[0];
	d->acc[0] = -1; /* the application's now: sock_close closes it */
	return 0;
}

/* The protocol thread starts: from now on SYNs are answered (those that came before too). */
static int rdt_sock_listen(struct sock *s, int backlog)
{
	struct rdt_driver *d = s->state->d;

	if (s->state->c) {
		errno = EINVAL; /* a connection does not listen, as listen(2) on a connected TCP socket */
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	d->backlog = backlog < 1 ? 1 : backlog > RDT_BACKLOG_MAX ? RDT_BACKLOG_MAX : backlog;
	d->listening = 1;
	rdt_driver_wake(d);
	int running = d->running;
	pthread_mutex_unlock(&d->lock);
	return running ? 0 : rdt_driver_start(d);
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
	c->payload = rdt_payload_max(c->core);
	h->d->refs++;
	if (trace_on) {
		char peer[ADDR_TEXT_MAX];
		trace_line("  (rdt: connected with %s over UDP socket %d, carried by socklab's protocol thread; "
			   "this program reads and writes descriptor %d, one end of a socketpair)",
			   addr_format(&s->peer, peer, sizeof peer), h->d->udp.fd, s->fd);
	}
}

/* Waits (unless non-blocking) for a connection whose handshake is over, as accept(2) does. */
static int rdt_sock_accept(struct sock *s, struct sock *out)
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
		pthread_mutex_lock(&d->lock);
		h->c = rdt_demux_pop(d, s->fd);
		if (h->c) {
			h->d = d;
			hand_over(out, s->t, s->flags, h);
		}
		pthread_mutex_unlock(&d->lock);
		if (h->c)
			return 0;
	}
}

/* A client: the handshake, in the calling thread; then the protocol thread takes the connection over. */
static int rdt_sock_dial(struct sock *s, const struct addr *a)
{
	struct rdt_driver *d = rdt_driver_new(s->options, 0);
	struct transport_state *h = calloc(1, sizeof *h);
	struct rdt_chan *c = NULL;

	if (!d || !h || open_udp(d, a, s->options, 0) < 0 || !(c = rdt_chan_new(d, a)))
		return give_up(d, h);
	rdt_demux_link(d, c); /* a client's list holds one: it cannot fail */
	(void)rdt_connect(c->core, rdt_random(), rdt_now());
	pthread_mutex_lock(&d->lock);
	while (!rdt_established(c->core) && !rdt_closed(c->core))
		rdt_driver_step(d, -1);
	if (!rdt_established(c->core)) {
		pthread_mutex_unlock(&d->lock);
		errno = rdt_error(c->core) ? rdt_error(c->core) : ETIMEDOUT;
		return give_up(d, h);
	}
	h->d = d;
	h->c = c;
	hand_over(s, s->t, s->flags, h);
	s->peer = *a;
	(void)rdt_chan_pump(c, rdt_now()); /* the ACK that ends the handshake goes now, not when the thread starts */
	pthread_mutex_unlock(&d->lock);
	if (rdt_driver_start(d) == 0)
		return 0;
	rdt_abort(c->core); /* no thread to carry it: tell the server, and give up */
	rdt_chan_pump(c, rdt_now());
	c->app_fd = s->fd; /* c's again, to close with it */
	s->fd = -1;
	s->state = NULL;
	return give_up(d, h);
}

/* One whole message into the pair; EMSGSIZE above the payload the handshake agreed. */
static ssize_t rdt_sock_send(struct sock *s, const void *buf, size_t len)
{
	struct rdt_chan *c = s->state->c;

	if (!c) {
		errno = ENOTCONN;
		return -1;
	}
	if (len > c->payload) {
		errno = EMSGSIZE; /* checked here: the thread must never have to cut or drop one */
		return -1;
	}
	ssize_t n = sys_send(s->fd, buf, len);
	if (n >= 0)
		c->sent++;
	else if (errno == EPIPE && c->error)
		errno = c->error; /* the connection failed: say why, as TCP's send does */
	return n;
}

/* One whole message from the pair; at the end 0, or the connection's failure (ETIMEDOUT, ECONNRESET). */
static ssize_t rdt_sock_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	struct rdt_chan *c = s->state->c;
	int err;

	if (!c) {
		errno = ENOTCONN;
		return -1;
	}
	ssize_t n = sockops_msg_recv(s, buf, len, truncated);
	if (n == 0 && (err = c->end_error) != 0) {
		errno = err;
		return -1;
	}
	return n;
}

/* shutdown(SHUT_WR) is rdt's close: a FIN follows the messages already sent. SHUT_RD stays local. */
static int rdt_sock_shutdown(struct sock *s, int how)
{
	struct transport_state *h = s->state;

	if (!h->c) {
		errno = ENOTCONN;
		return -1;
	}
	if (how == SHUT_WR || how == SHUT_RDWR) {
		/* Before the kernel's shutdown: the thread must know how many messages precede the end. */
		pthread_mutex_lock(&h->d->lock);
		if (!h->c->eof) {
			h->c->eof = 1;
			h->c->eof_at = h->c->sent;
		}
		rdt_driver_wake(h->d);
		pthread_mutex_unlock(&h->d->lock);
	}
	return sys_shutdown(s->fd, how);
}

static int rdt_sock_getname(struct sock *s, struct addr *out)
{
	return sock_getname(&s->state->d->udp, out);
}

/* A listener closes: connections not accepted yet are reset, and new SYNs answered with an RST. */
static void unlisten(struct rdt_driver *d)
{
	d->listening = 0;
	for (struct rdt_chan *c = d->chans; c; c = c->next)
		if (!c->handed)
			rdt_abort(c->core);
}

/*
 * The thread sends the FIN after the messages already sent and finishes the
 * close handshake. The last socket on the UDP socket waits for it, bounded,
 * and frees everything (rdt_sock.h: the end).
 */
static int rdt_sock_close(struct sock *s)
{
	struct transport_state *h = s->state;
	struct rdt_driver *d = h->d;
	struct rdt_chan *c = h->c;

	pthread_mutex_lock(&d->lock);
	if (c) {
		if (!c->eof) {
			c->eof = 1;
			c->eof_at = c->sent;
		}
		c->app_closed = 1;
	} else {
		unlisten(d);
	}
	pthread_mutex_unlock(&d->lock);
	int r = sys_close(s->fd); /* first: the thread's end then sees the application gone */
	s->fd = -1;
	s->state = NULL;
	free(h);
	rdt_driver_release(d);
	return r;
}

static int rdt_sock_options(const char *text, char *rest, size_t restlen, char *why, size_t whylen)
{
	char mine[256];
	struct rdt_config cfg;

	if (rdt_options_split(text, mine, sizeof mine, rest, restlen) < 0) {
		snprintf(why, whylen, "options after '?' are too long");
		return -1;
	}
	return rdt_config_parse(mine, &cfg, why, whylen);
}

/* A snapshot under the driver's lock: a connection's core, or a listener's live and gone connections. */
int rdt_sock_stats(const struct sock *s, struct rdt_stats *out)
{
	if (s->t != &rdt_transport || !s->state) {
		errno = EOPNOTSUPP;
		return -1;
	}
	struct rdt_driver *d = s->state->d;
	pthread_mutex_lock(&d->lock);
	if (s->state->c) {
		rdt_get_stats(s->state->c->core, out);
	} else {
		*out = d->gone;
		for (struct rdt_chan *c = d->chans; c; c = c->next) {
			struct rdt_stats one;
			rdt_get_stats(c->core, &one);
			out->datagrams_sent += one.datagrams_sent;
			out->datagrams_received += one.datagrams_received;
			out->data_sent += one.data_sent;
			out->retransmits_timeout += one.retransmits_timeout;
			out->retransmits_fast += one.retransmits_fast;
			out->messages_delivered += one.messages_delivered;
			out->bytes_delivered += one.bytes_delivered;
			out->duplicates += one.duplicates;
		}
		out->window = d->cfg.window;
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int rdt_sock_strangers(const struct sock *s, unsigned long long *malformed, unsigned long long *strangers,
		       unsigned long long *resets)
{
	if (s->t != &rdt_transport || !s->state) {
		errno = EOPNOTSUPP;
		return -1;
	}
	struct rdt_driver *d = s->state->d;
	pthread_mutex_lock(&d->lock);
	*malformed = d->malformed;
	*strangers = d->strangers;
	*resets = d->resets;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

const struct transport rdt_transport = {
	.scheme = "rdt",
	.summary = "rdt: socklab's own reliable messages over UDP (arq=sw|gbn|sr, window=N)",
	.domain = AF_UNSPEC,
	.type = SOCK_SEQPACKET, /* what the application holds: one end of a socketpair (rdt_sock.h) */
	.flags = TRANSPORT_CONNECTED | TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_USER_SPACE,
	.bind = rdt_sock_bind,
	.listen = rdt_sock_listen,
	.accept = rdt_sock_accept,
	.dial = rdt_sock_dial,
	.send = rdt_sock_send,
	.recv = rdt_sock_recv,
	.sendto = transport_no_sendto,
	.recvfrom = transport_no_recvfrom,
	.shutdown = rdt_sock_shutdown,
	.getname = rdt_sock_getname,
	.close = rdt_sock_close,
	.set_file_mode = transport_no_set_file_mode,
	.send_batch = transport_stream_send_batch, /* a send per message, through rdt_sock_send */
	.recv_batch = transport_stream_recv_batch, /* one message per call */
	.options = rdt_sock_options,
};
