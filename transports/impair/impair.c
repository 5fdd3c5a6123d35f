/* impair.c - the impairment layer as a transport: a table whose operations call the wrapped transport's. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "impair.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

/*
 * Under --trace the layer says what it did, in lines of their own:
 * "  (impair: WHAT: ...)", WHAT being lost, held, late or twice.
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

/* One datagram to the wrapped transport: to its dialed peer, or to an address (from a local one, if given). */
static ssize_t emit(struct sock *s, const void *buf, size_t len, const struct addr *to, const struct addr *from)
{
	return to ? inner(s)->sendto(s, buf, len, to, from) : inner(s)->send(s, buf, len);
}

/* Set by impair_hurry(), from a signal handler: the process is stopping, and no delay= may hold it up. */
static volatile sig_atomic_t hurry;

void impair_hurry(void)
{
	hurry = 1;
}

/* The sender's wait (delay=, a retransmission): cut short once a stop signal came, before or during it. */
static void wait_ms(long long ms)
{
	(void)sys_nap_ms(ms, &hurry);
}

/*
 * Sends the datagram reorder= held back, now that another has overtaken it
 * (or time is up). Held is not lost: when the socket has no room now (EAGAIN,
 * ENOBUFS) it stays held for the next chance, unless last (the socket is
 * closing). A datagram that cannot go for good is counted (counts.held_lost).
 */
static void release_held(struct sock *s, int last)
{
	struct impair *im = s->impair;
	struct impair_held *h = &im->held;

	if (!h->buf)
		return;
	if (trace_on)
		trace_line("  (impair: late: the held datagram of %zu bytes goes out now)", h->len);
	if (emit(s, h->buf, h->len, h->via_sendto ? &h->to : NULL, h->via_sendto ? &h->from : NULL) < 0) {
		if (!last && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			if (trace_on)
				trace_line("  (impair: held: no room for it now; it stays held, and goes at the next chance)");
			return;
		}
		im->counts.held_lost++;
		if (trace_on)
			trace_line("  (impair: lost: the held datagram could not go (%s); counted, %llu so far)",
				   errno_text(errno), im->counts.held_lost);
	} else {
		im->counts.late++;
	}
	free(h->buf);
	h->buf = NULL;
}

/* Keeps a copy of the datagram to send later. -1 when there is no memory (it is then sent now). */
static int hold(struct impair *im, const void *buf, size_t len, const struct addr *to, const struct addr *from)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	memcpy(copy, buf, len);
	im->held = (struct impair_held){ .buf = copy, .len = len, .via_sendto = to != NULL };
	if (to)
		im->held.to = *to;
	if (from)
		im->held.from = *from;
	return 0;
}

/*
 * A datagram through a bad network. The three choices are drawn every time,
 * whatever they decide, so that the same seed gives the same fate to the
 * same datagram; a send the kernel refuses (EAGAIN...) gives its draws back,
 * so a retry meets the same fate.
 */
ssize_t impair_datagram_send(struct sock *s, const void *buf, size_t len, const struct addr *to,
			     const struct addr *from)
{
	struct impair *im = s->impair;
	unsigned long long before = im->rng;
	int drop = impair_chance(im, im->p.drop);
	int dup = impair_chance(im, im->p.dup);
	int late = impair_chance(im, im->p.reorder);

	if (im->p.delay_ms && !im->waited)
		wait_ms(im->p.delay_ms);
	im->waited = 0;
	if (drop) {
		im->counts.lost++;
		if (trace_on)
			trace_line("  (impair: lost: a datagram of %zu bytes; send() succeeds, nothing leaves)", len);
		return (ssize_t)len;
	}
	if (late && !im->held.buf && hold(im, buf, len, to, from) == 0) {
		im->counts.held++;
		if (trace_on)
			trace_line("  (impair: held: a datagram of %zu bytes waits; the next one overtakes it)", len);
		return (ssize_t)len;
	}
	ssize_t n = emit(s, buf, len, to, from);
	if (n < 0) {
		im->rng = before;
		im->waited = im->p.delay_ms > 0; /* the retry meets the same fate, but waits only once */
		return -1;
	}
	if (dup) {
		if (trace_on)
			trace_line("  (impair: twice: the same datagram is sent again)");
		if (emit(s, buf, len, to, from) >= 0) /* a duplicate that cannot go is simply not duplicated */
			im->counts.twice++;
	}
	release_held(s, 0);
	return n;
}

/*
 * A send on a connection: chunk= cuts what a stream takes at once, delay=
 * makes the sender wait first. Nothing is lost here: drop, dup and reorder
 * are refused on a reliable transport (impair_parse_options), since what a
 * kernel does about loss under TCP cannot be faked in the sender; make lab
 * shows the real thing.
 */
static ssize_t connected_send(struct sock *s, const void *buf, size_t len)
{
	struct impair *im = s->impair;

	if (im->p.chunk && !sock_keeps_boundaries(s) && len > im->p.chunk)
		len = im->p.chunk;
	if (im->p.delay_ms && !im->waited)
		wait_ms(im->p.delay_ms);
	im->waited = 0;
	ssize_t n = inner(s)->send(s, buf, len);
	if (n < 0)
		im->waited = im->p.delay_ms > 0; /* the retry (after EAGAIN) waits only once */
	return n;
}

/* send(2) through the layer: datagrams meet drop, dup and reorder (udp only); connections only delay and chunks. */
static ssize_t impair_send(struct sock *s, const void *buf, size_t len)
{
	return sock_is_connected(s) ? connected_send(s, buf, len) : impair_datagram_send(s, buf, len, NULL, NULL);
}

/* sendto(2) through the layer. A connection has no sendto: the wrapped transport says so. */
static ssize_t impair_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to,
			     const struct addr *from)
{
	return sock_is_connected(s) ? inner(s)->sendto(s, buf, len, to, from) : impair_datagram_send(s, buf, len, to, from);
}

/*
 * Before a receive: if nothing is waiting to be read, this socket is about to
 * wait, and a datagram it holds back might be what its peer waits for. Let it
 * go, late, rather than never: a real network delays, it does not keep.
 */
void impair_release_if_idle(struct sock *s)
{
	if (s->impair->held.buf && sys_wait(s->fd, 0, 0) == 0)
		release_held(s, 0);
}

/* recv(2): a stream reads at most chunk= bytes. */
static ssize_t impair_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	size_t chunk = s->impair->p.chunk;

	impair_release_if_idle(s);
	if (chunk && !sock_keeps_boundaries(s) && len > chunk)
		len = chunk;
	return inner(s)->recv(s, buf, len, truncated);
}

/* recvfrom(2): as recv, for a datagram server. */
static ssize_t impair_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
			       int *truncated)
{
	impair_release_if_idle(s);
	return inner(s)->recvfrom(s, buf, len, from, local, truncated);
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

	release_held(s, 1);
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
	.send_batch = impair_send_batch,
	.recv_batch = impair_recv_batch,
	.options = transport_no_options,
};
