/* rdt_pieces.c - a message in pieces: rdt's socket layer cuts the application's messages to fit packets, and puts them back together. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rdt_sock.h"
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

/* Queues the pieces of the message in c->out_msg the core has room for. 1 when it is all queued, else 0. */
static int queue_pieces(struct rdt_chan *c, long long now)
{
	size_t room = rdt_payload_max(c->core) - 1; /* the payload agreed, less this layer's byte */

	do {
		size_t n = c->out_len - c->out_off < room ? c->out_len - c->out_off : room;
		int last = c->out_off + n == c->out_len;
		c->piece_out[0] = last ? RDT_PIECE_LAST : RDT_PIECE_MORE;
		memcpy(c->piece_out + 1, c->out_msg + c->out_off, n);
		if (rdt_send(c->core, c->piece_out, n + 1, now) < 0)
			return errno == EAGAIN ? 0 : 1; /* full: later; failed: the message goes with the connection */
		c->out_off += n;
		if (last)
			return 1;
	} while (1);
}

void rdt_pieces_take(struct rdt_chan *c, long long now)
{
	while (!c->closing) {
		if (c->out_busy) {
			if (!queue_pieces(c, now))
				return; /* no room: wait for ACKs */
			c->out_busy = 0;
		}
		if (c->eof && c->taken >= c->eof_at) {
			if (rdt_close(c->core, now) == 0 || rdt_closed(c->core))
				c->closing = 1;
			return;
		}
		if (rdt_closed(c->core) || !rdt_writable(c->core))
			return; /* failed (the application hears it from pass_end), or no room */
		if (!c->out_msg && !(c->out_msg = malloc(RDT_MESSAGE_MAX + 1)))
			return; /* no memory: the message waits in the pair */
		ssize_t n = rdt_plumb_recv(c->fd, c->out_msg, RDT_MESSAGE_MAX + 1);
		if (n < 0)
			return; /* nothing yet */
		c->taken++;
		/* send() checked the size: a longer message cannot come; were it to, it would be refused, never cut. */
		if ((size_t)n > c->message_max)
			continue;
		c->out_len = (size_t)n;
		c->out_off = 0;
		c->out_busy = 1;
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

void rdt_pieces_deliver(struct rdt_chan *c)
{
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
