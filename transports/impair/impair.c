/* impair.c - the impairment layer as a transport: a table whose operations call the wrapped transport's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "impair.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

/*
 * Under --trace the layer says what it did, in lines of their own:
 * "  (impair: WHAT: ...)", WHAT being lost, held, late, twice or retransmit.
 *
 * Every operation here finds the wrapped transport in s->impair->inner and
 * calls its operation on the same struct sock: the descriptor, the peer and
 * the socket file are the wrapped transport's, untouched. Only the data is
 * changed, on its way out: a datagram is dropped, sent twice or held back
 * before the wrapped send() sees it; a stream send or recv is cut to chunk=
 * bytes. Receiving changes nothing, so poll(2) on s->fd stays truthful.
 */

static const struct transport *inner(const struct sock *s)
{
	return s->impair->inner;
}

/* One datagram to the wrapped transport: to its dialed peer, or to an address. */
static ssize_t emit(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	return to ? inner(s)->sendto(s, buf, len, to) : inner(s)->send(s, buf, len);
}

/* Sends the datagram reorder= held back, now that another has overtaken it (or time is up). */
static void release_held(struct sock *s)
{
	struct impair_held *h = &s->impair->held;

	if (!h->buf)
		return;
	if (trace_on)
		trace_line("  (impair: late: the held datagram of %zu bytes goes out now)", h->len);
	/* A failure here is one more datagram lost on a bad network: nobody is told, as with UDP. */
	(void)emit(s, h->buf, h->len, h->via_sendto ? &h->to : NULL);
	free(h->buf);
	h->buf = NULL;
}

/* Keeps a copy of the datagram to send later. -1 when there is no memory (it is then sent now). */
static int hold(struct impair *im, const void *buf, size_t len, const struct addr *to)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	memcpy(copy, buf, len);
	im->held = (struct impair_held){ .buf = copy, .len = len, .via_sendto = to != NULL };
	if (to)
		im->held.to = *to;
	return 0;
}

/*
 * A datagram through a bad network. The three choices are drawn every time,
 * whatever they decide, so that the same seed gives the same fate to the
 * same datagram; a send the kernel refuses (EAGAIN...) gives its draws back,
 * so a retry meets the same fate.
 */
static ssize_t datagram_send(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	struct impair *im = s->impair;
	unsigned long long before = im->rng;
	int drop = impair_chance(im, im->p.drop);
	int dup = impair_chance(im, im->p.dup);
	int late = impair_chance(im, im->p.reorder);

	if (im->p.delay_ms && !im->waited)
		sys_sleep_ms(im->p.delay_ms);
	im->waited = 0;
	if (drop) {
		if (trace_on)
			trace_line("  (impair: lost: a datagram of %zu bytes; send() succeeds, nothing leaves)", len);
		return (ssize_t)len;
	}
	if (late && !im->held.buf && hold(im, buf, len, to) == 0) {
		if (trace_on)
			trace_line("  (impair: held: a datagram of %zu bytes waits; the next one overtakes it)", len);
		return (ssize_t)len;
	}
	ssize_t n = emit(s, buf, len, to);
	if (n < 0) {
		im->rng = before;
		im->waited = im->p.delay_ms > 0; /* the retry meets the same fate, but waits only once */
		return -1;
	}
	if (dup) {
		if (trace_on)
			trace_line("  (impair: twice: the same datagram is sent again)");
		(void)emit(s, buf, len, to); /* a duplicate that cannot go is simply not duplicated */
	}
	release_held(s);
	return n;
}

/*
 * A send on a connection. Chunking cuts what a stream takes at once. A lost
 * segment is what TCP repairs: the send waits for the retransmission.
 */
static ssize_t connected_send(struct sock *s, const void *buf, size_t len)
{
	struct impair *im = s->impair;
	unsigned long long before = im->rng;

	if (im->p.chunk && !sock_keeps_boundaries(s) && len > im->p.chunk)
		len = im->p.chunk;
	int lost = impair_chance(im, im->p.drop);
	int wait = im->p.delay_ms + (lost ? IMPAIR_RETRANSMIT_MS : 0);
	if (lost && trace_on && !im->waited)
		trace_line("  (impair: retransmit: a lost segment is sent again after %d ms; late, never missing)",
			   IMPAIR_RETRANSMIT_MS);
	if (wait && !im->waited)
		sys_sleep_ms(wait);
	im->waited = 0;
	ssize_t n = inner(s)->send(s, buf, len);
	if (n < 0) {
		im->rng = before;
		im->waited = wait > 0; /* the retry meets the same fate, but waits only once */
		return -1;
	}
	return n;
}

/* send(2) through the layer: datagrams meet drop, dup and reorder; connections only delay. */
static ssize_t impair_send(struct sock *s, const void *buf, size_t len)
{
	return sock_is_connected(s) ? connected_send(s, buf, len) : datagram_send(s, buf, len, NULL);
}

/* sendto(2) through the layer. A connection has no sendto: the wrapped transport says so. */
static ssize_t impair_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	return sock_is_connected(s) ? inner(s)->sendto(s, buf, len, to) : datagram_send(s, buf, len, to);
}

/*
 * Before a receive: if nothing is waiting to be read, this socket is about to
 * wait, and a datagram it holds back might be what its peer waits for. Let it
 * go, late, rather than never: a real network delays, it does not keep.
 */
static void release_if_idle(struct sock *s)
{
	if (s->impair->held.buf && sys_wait(s->fd, 0, 0) == 0)
		release_held(s);
}

/* recv(2): a stream reads at most chunk= bytes. */
static ssize_t impair_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	size_t chunk = s->impair->p.chunk;

	release_if_idle(s);
	if (chunk && !sock_keeps_boundaries(s) && len > chunk)
		len = chunk;
	return inner(s)->recv(s, buf, len, truncated);
}

/* recvfrom(2): as recv, for a datagram server. */
static ssize_t impair_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, int *truncated)
{
	release_if_idle(s);
	return inner(s)->recvfrom(s, buf, len, from, truncated);
}

/* accept(2): the new connection is impaired too, its choices seeded from the listener's. */
static int impair_accept(struct sock *s, struct sock *out)
{
	struct impair *im = s->impair;

	if (im->inner->accept(s, out) < 0)
		return -1;
	struct impair *c = impair_new(im->inner, &im->p, impair_next(im));
	if (!c) {
		out->t = im->inner;
		out->impair = NULL;
		im->inner->close(out);
		errno = ENOMEM;
		return -1;
	}
	out->impair = c;
	out->t = &c->table;
	return 0;
}

static int impair_listen(struct sock *s, int backlog)
{
	return inner(s)->listen(s, backlog);
}

static int impair_shutdown(struct sock *s, int how)
{
	return inner(s)->shutdown(s, how);
}

static int impair_getname(struct sock *s, struct addr *out)
{
	return inner(s)->getname(s, out);
}

static int impair_set_file_mode(struct sock *s, mode_t mode)
{
	return inner(s)->set_file_mode(s, mode);
}

/* close(2): a held datagram still goes out, then the wrapped close, then the layer's state is freed. */
static int impair_close(struct sock *s)
{
	struct impair *im = s->impair;

	release_held(s);
	s->t = im->inner;
	s->impair = NULL;
	impair_free(im);
	return s->t->close(s);
}

/* An impaired socket is made by impair_attach() from one the wrapped transport bound: never bound here. */
static int impair_no_bind(struct sock *s, const struct addr *a)
{
	(void)s, (void)a;
	errno = EOPNOTSUPP;
	return -1;
}

/* Likewise, an impaired client is one the wrapped transport dialed. */
static int impair_no_dial(struct sock *s, const struct addr *a)
{
	(void)s, (void)a;
	errno = EOPNOTSUPP;
	return -1;
}

/* The facts are placeholders: impair_new() copies the wrapped transport's into each socket's table. */
const struct transport impair_transport = {
	.scheme = "impair",
	.summary = "the impairment layer: drops, duplicates, reorders, delays or chunks another transport's data",
	.domain = AF_UNSPEC,
	.type = 0,
	.flags = 0,
	.bind = impair_no_bind,
	.listen = impair_listen,
	.accept = impair_accept,
	.dial = impair_no_dial,
	.send = impair_send,
	.recv = impair_recv,
	.sendto = impair_sendto,
	.recvfrom = impair_recvfrom,
	.shutdown = impair_shutdown,
	.getname = impair_getname,
	.close = impair_close,
	.set_file_mode = impair_set_file_mode,
	.options = transport_no_options,
};
