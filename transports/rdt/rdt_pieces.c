/* rdt_pieces.c - a message in pieces: rdt's socket layer cuts the application's messages to fit packets, and puts them back together. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rdt_sock.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

/*
 * The core carries messages of at most its payload: one per packet. The
 * application may send up to RDT_MESSAGE_MAX bytes at once (what a UDP
 * datagram could hold), so this layer, above the core, cuts each message
 * into pieces and the receiver joins them again, as SCTP fragments a
 * message into chunks (RFC 9260, 6.9). Each piece starts with one byte of
 * its own: RDT_PIECE_MORE when more pieces of the same message follow,
 * RDT_PIECE_LAST for the last (or only) one. The core delivers in order, so
 * the pieces come back in order, and nothing else is needed.
 */
enum { RDT_PIECE_LAST = 0, RDT_PIECE_MORE = 1 };

void rdt_chan_end(struct rdt_chan *c, int err)
{
	if (err)
		c->error = err;
	if (c->end_passed)
		return;
	c->end_passed = 1;
	c->end_error = err;
	/* SHUT_WR: its reads end. After a failure SHUT_RD too: its sends fail (EPIPE, which send turns into err). */
	int was = trace_mute(1);
	(void)shutdown(c->fd, err ? SHUT_RDWR : SHUT_WR);
	trace_mute(was);
}

/* The peer broke the layer's rules (a piece without its byte, a message too long): the connection is reset. */
static void broken(struct rdt_chan *c, const char *why)
{
	if (trace_on)
		trace_line("  (rdt: the peer's pieces break the rules: %s; the connection is reset)", why);
	rdt_abort(c->core);
	rdt_chan_end(c, EPROTO);
}

/* Queues the pieces of the message at c->out_src the core has room for. 1 when it is all queued, else 0. */
static int queue_pieces(struct rdt_chan *c, long long now)
{
	size_t room = rdt_payload_max(c->core) - 1; /* the payload agreed, less this layer's byte */

	do {
		size_t n = c->out_len - c->out_off < room ? c->out_len - c->out_off : room;
		int last = c->out_off + n == c->out_len;
		c->piece_out[0] = last ? RDT_PIECE_LAST : RDT_PIECE_MORE;
		memcpy(c->piece_out + 1, c->out_src + c->out_off, n);
		if (rdt_send(c->core, c->piece_out, n + 1, now) < 0)
			return errno == EAGAIN ? 0 : 1; /* full: later; failed: the message goes with the connection */
		c->out_off += n;
		if (last)
			return 1;
	} while (1);
}

/*
 * The thread's buffer for the messages read from a pair in one call: room
 * for RDT_BATCH of the largest, of which a message touches only the pages it
 * fills. Under rdt_lock; each round empties it before the next pair is read.
 */
static struct {
	unsigned char *buf;
	struct sock_msg m[RDT_BATCH];
} take;

void rdt_pieces_free(void)
{
	free(take.buf);
	take.buf = NULL;
}

/* The message being cut (c->out_src, in the thread's buffer) copied into c's own out_msg. 0, or -1 ENOMEM. */
static int hold(struct rdt_chan *c)
{
	if (!c->out_msg && !(c->out_msg = malloc(RDT_MESSAGE_MAX + 1)))
		return -1;
	memmove(c->out_msg, c->out_src, c->out_len);
	c->out_src = c->out_msg;
	return 0;
}

/* A copy of a message read after the one being cut, at the end of c's stash. 0, or -1 ENOMEM. */
static int stash(struct rdt_chan *c, const unsigned char *p, size_t len)
{
	struct rdt_stash *k = malloc(sizeof *k + len);

	if (!k)
		return -1;
	k->next = NULL;
	k->len = len;
	memcpy(k->data, p, len);
	*(c->stash ? &c->stash_last->next : &c->stash) = k;
	c->stash_last = k;
	return 0;
}

/*
 * A message taken from the pair that there is no memory to keep: it cannot go
 * back, and the stream must not go on without it. The connection is reset
 * (the peer hears ECONNRESET) and the application hears ENOMEM.
 */
static void lost(struct rdt_chan *c)
{
	if (trace_on)
		trace_line("  (rdt: no memory to keep a message taken from the application; the connection is reset)");
	rdt_abort(c->core);
	rdt_chan_end(c, ENOMEM);
}

/* The oldest message kept in the stash becomes the one being cut (out_msg). 0, or -1 ENOMEM. */
static int unstash(struct rdt_chan *c)
{
	struct rdt_stash *k = c->stash;

	c->out_src = k->data;
	c->out_len = k->len;
	if (hold(c) < 0)
		return -1;
	c->out_off = 0;
	c->out_busy = 1;
	c->stash = k->next;
	free(k);
	return 0;
}

/*
 * Up to as many messages as the core has room for packets, from the pair in
 * one call (recvmmsg(2)), into the core. A message of several pieces can
 * still find the core full: it, and the messages read after it, are kept
 * (out_msg, the stash) and go first next time. Returns how many were read.
 */
static ssize_t take_batch(struct rdt_chan *c, long long now)
{
	size_t k = rdt_send_room(c->core);

	k = k < RDT_BATCH ? k : RDT_BATCH;
	if (c->eof)
		k = c->eof_at - c->taken < k ? (size_t)(c->eof_at - c->taken) : k;
	if (k == 0 || (!take.buf && !(take.buf = malloc((size_t)RDT_BATCH * (RDT_MESSAGE_MAX + 1)))))
		return 0; /* no room; or no memory: the messages wait in the pair */
	for (size_t i = 0; i < k; i++)
		take.m[i] = (struct sock_msg){ .buf = take.buf + i * (RDT_MESSAGE_MAX + 1), .len = RDT_MESSAGE_MAX + 1 };
	int was = trace_mute(1);
	ssize_t n = sys_recvmmsg(c->fd, take.m, k);
	trace_mute(was);
	for (ssize_t i = 0; i < n; i++) {
		c->taken++;
		/* send() checked the size: a longer message cannot come; were it to, it would be refused, never cut. */
		if (take.m[i].got > c->message_max)
			continue;
		if (c->out_busy) { /* the core is full: the rest is kept, in order */
			if (stash(c, take.m[i].buf, take.m[i].got) < 0)
				lost(c);
			continue;
		}
		c->out_src = take.m[i].buf;
		c->out_len = take.m[i].got;
		c->out_off = 0;
		c->out_busy = !queue_pieces(c, now);
		if (c->out_busy && hold(c) < 0)
			lost(c);
	}
	return n;
}

void rdt_pieces_take(struct rdt_chan *c, long long now)
{
	while (!c->closing) {
		if (c->out_busy) {
			if (!queue_pieces(c, now))
				return; /* no room: wait for ACKs */
			c->out_busy = 0;
		}
		if (c->stash) {
			if (unstash(c) < 0)
				return; /* no memory: the next round tries again */
			continue;
		}
		if (c->eof && c->taken >= c->eof_at) {
			if (rdt_close(c->core, now) == 0 || rdt_closed(c->core))
				c->closing = 1;
			return;
		}
		if (rdt_closed(c->core) || !rdt_writable(c->core))
			return; /* failed (the application hears it from pass_end), or no room */
		if (take_batch(c, now) <= 0)
			return; /* nothing yet */
	}
}

/* The next piece from the core, into the message being joined. 1: a whole message is staged; 0: not yet. */
static int join_piece(struct rdt_chan *c)
{
	size_t len = 0;
	int r = rdt_recv(c->core, c->piece_in, c->d->cfg.payload, &len, NULL);

	if (r == 0)
		rdt_chan_end(c, 0); /* a message cut short by the end is not delivered: it never ended */
	else if (r < 0 && errno != EAGAIN)
		/* ENOTCONN: closed with nothing more to read (reset in the handshake, or after): its end */
		rdt_chan_end(c, errno == ENOTCONN ? rdt_error(c->core) : errno);
	if (r != 1)
		return 0;
	if (len == 0 || c->piece_in[0] > RDT_PIECE_MORE)
		return broken(c, "a piece without its byte"), 0;
	if (c->piece_in[0] == RDT_PIECE_LAST && c->in_len == 0) { /* a message in one piece: no copy */
		c->staged = c->piece_in + 1;
		c->staged_len = len - 1;
		return 1;
	}
	if (c->in_len + len - 1 > c->message_max)
		return broken(c, "a message longer than rdt takes"), 0;
	if (!c->in_msg && !(c->in_msg = malloc(RDT_MESSAGE_MAX)))
		return broken(c, "no memory to join a message"), 0;
	memcpy(c->in_msg + c->in_len, c->piece_in + 1, len - 1);
	c->in_len += len - 1;
	if (c->piece_in[0] == RDT_PIECE_MORE)
		return 0;
	c->staged = c->in_msg;
	c->staged_len = c->in_len;
	c->in_len = 0;
	return 1;
}

/*
 * Messages of one piece each, straight from the core's buffer into the pair,
 * many in one call (sendmmsg(2) on the socketpair): each leaves the core only
 * once the pair took it, so what the pair had no room for stays there, and
 * the window advertised says so. Anything else (a message in pieces, the end,
 * a piece that breaks the rules) is left to the loop below, one at a time.
 */
static void deliver_batch(struct rdt_chan *c)
{
	struct sock_msg m[RDT_BATCH];
	const unsigned char *p;
	size_t len, n = 0;

	if (c->has_staged || c->in_len || c->app_closed || c->end_passed)
		return;
	while (n < RDT_BATCH && rdt_peek(c->core, (unsigned)n, &p, &len) && len > 0 && p[0] == RDT_PIECE_LAST)
		m[n++] = (struct sock_msg){ .buf = (void *)(p + 1), .len = len - 1 };
	if (n < 2)
		return;
	int was = trace_mute(1);
	ssize_t r = sys_sendmmsg(c->fd, m, n, NULL);
	trace_mute(was);
	for (ssize_t i = 0; i < r; i++)
		(void)rdt_recv(c->core, NULL, SIZE_MAX, &len, NULL);
}

void rdt_pieces_deliver(struct rdt_chan *c)
{
	deliver_batch(c);
	for (;;) {
		if (!c->has_staged) {
			while (!(c->has_staged = join_piece(c)))
				if (!rdt_readable(c->core) || c->end_passed)
					return;
		}
		if (!c->app_closed && !c->end_passed && rdt_plumb_send(c->fd, c->staged, c->staged_len) < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			return; /* no room: the pair says when (POLLOUT), and the core's window shrinks meanwhile */
		c->has_staged = 0; /* in the pair, or nobody will read it (closed, shut down) */
	}
}
