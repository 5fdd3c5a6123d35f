/* rdt_demux.c - an rdt listener: one UDP socket for every peer, told apart by address; new connections, strangers, the accept queue. */
#include <errno.h>
#include <stddef.h>

#include "rdt_sock.h"
#include "core/sys/trace.h"

/* The chan whose peer_entry is e. */
static struct rdt_chan *chan_of(struct peer_entry *e)
{
	return (struct rdt_chan *)(void *)((char *)e - offsetof(struct rdt_chan, entry));
}

int rdt_demux_link(struct rdt_driver *d, struct rdt_chan *c)
{
	if (d->listener && peer_table_insert(&d->peers, &c->entry) < 0)
		return -1;
	c->in_peers = d->listener;
	c->next = d->chans;
	if (d->chans)
		d->chans->prev = c;
	d->chans = c;
	d->nchans++;
	if (d->listener && !c->handed)
		d->pending++;
	return 0;
}

void rdt_demux_unlink(struct rdt_driver *d, struct rdt_chan *c)
{
	if (c->in_peers)
		peer_table_remove(&d->peers, &c->entry);
	c->in_peers = 0;
	if (c->prev)
		c->prev->next = c->next;
	else
		d->chans = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	d->nchans--;
	if (d->listener && !c->handed)
		d->pending--;
	if (c->queued) { /* the listener closed (or the process exits) before it was accepted */
		struct rdt_chan **p = &d->q_head;
		while (*p && *p != c)
			p = &(*p)->qnext;
		if (*p)
			*p = c->qnext;
		d->q_tail = NULL;
		for (struct rdt_chan *q = d->q_head; q; q = q->qnext)
			d->q_tail = q;
		c->queued = 0;
	}
}

/*
 * The accept queue and the listener's descriptor (acc[0]) agree: one byte
 * waits in the pair exactly while the queue holds a connection, so poll(2)
 * on the listener says whether accept() would wait.
 */
void rdt_demux_ready(struct rdt_driver *d, struct rdt_chan *c)
{
	if (c->queued || c->handed || !rdt_established(c->core) || !d->listening)
		return;
	c->queued = 1;
	c->qnext = NULL;
	if (d->q_tail)
		d->q_tail->qnext = c;
	else
		d->q_head = c;
	d->q_tail = c;
	if (d->q_head == c) {
		char b = 1;
		(void)rdt_plumb_send(d->acc[1], &b, 1); /* an empty pair always has room for one byte */
	}
}

struct rdt_chan *rdt_demux_pop(struct rdt_driver *d, int app_fd)
{
	struct rdt_chan *c = d->q_head;
	char b;

	if (!c)
		return NULL;
	d->q_head = c->qnext;
	if (!d->q_head) {
		d->q_tail = NULL;
		(void)rdt_plumb_recv(app_fd, &b, 1); /* the queue is empty: so is the pair */
	}
	c->queued = 0;
	c->qnext = NULL;
	c->handed = 1;
	d->pending--;
	return c;
}

static void reset(struct rdt_driver *d, const struct rdt_header *h, const struct addr *to, const struct addr *local);

/* A bare SYN from an address with no connection: a new one, if the listener takes it. */
static void open_new(struct rdt_driver *d, const void *buf, size_t len, const struct addr *from,
		     const struct addr *local, long long now)
{
	if (d->pending >= (unsigned)d->backlog) {
		if (trace_on)
			trace_line("  (rdt: a SYN ignored: %u connections wait already, the backlog; the client will try again)",
				   d->pending);
		return; /* as Linux drops a SYN when the accept queue is full: the client's timer sends it again */
	}
	struct rdt_chan *c = rdt_chan_new(d, from);
	if (!c) { /* no memory, or no descriptor for its pair (EMFILE): refused, as a server out of descriptors sheds */
		struct rdt_header h;
		const char *why;
		if (trace_on)
			trace_line("  (rdt: a SYN refused with an RST: no descriptor or memory for a new connection)");
		if (rdt_wire_decode(buf, len, &h, &why) == 0)
			reset(d, &h, from, local);
		return;
	}
	c->local = *local;
	if (rdt_listen(c->core, rdt_random()) < 0 || rdt_demux_link(d, c) < 0) {
		rdt_chan_free(c);
		return;
	}
	(void)rdt_input(c->core, buf, len, now);
	rdt_chan_touch(c);
}

/*
 * A bare SYN with a new connection id, from the address of a connection this
 * server holds: its peer is a new one on the same port (the old process died
 * without a word, and the port was given out again). TCP would answer with a
 * challenge ACK and let the new client reset the old connection (RFC 5961,
 * 4); rdt's client has no such step, so the server resets the old connection
 * itself (its application hears ECONNRESET) and opens the new one. Someone
 * who can forge the peer's address and port can do the same, as with TCP
 * before RFC 5961.
 */
static void replaced(struct rdt_driver *d, struct rdt_chan *c)
{
	if (trace_on)
		trace_line("  (rdt: a new connection from the same address: the old one is reset)");
	rdt_abort(c->core);
	rdt_chan_end(c, ECONNRESET);
	peer_table_remove(&d->peers, &c->entry);
	c->in_peers = 0;
	rdt_chan_touch(c);
}

/* Answers a stranger's datagram with an RST, so that a client of a closed server hears ECONNREFUSED. */
static void reset(struct rdt_driver *d, const struct rdt_header *h, const struct addr *to, const struct addr *local)
{
	struct rdt_header r = { .flags = RDT_RST, .conn = h->conn };
	unsigned char out[RDT_HEADER_SIZE];
	size_t n = rdt_wire_encode(&r, out, sizeof out);

	d->resets++;
	if (n > 0)
		(void)sock_sendmsg(&d->udp, out, n, to, local);
}

void rdt_demux_input(struct rdt_driver *d, const void *buf, size_t len, const struct addr *from,
		     const struct addr *local, long long now)
{
	struct peer_entry *e = peer_table_find(&d->peers, from);
	struct rdt_header h;
	const char *why;

	if (e) {
		struct rdt_chan *c = chan_of(e);
		c->local = *local;
		if (rdt_input(c->core, buf, len, now) < 0 && rdt_wire_decode(buf, len, &h, &why) == 0 &&
		    h.flags == RDT_SYN && h.conn != rdt_conn_id(c->core))
			replaced(d, c); /* and the SYN opens the new connection below */
		else {
			rdt_driver_answer(d, c, now);
			rdt_demux_ready(d, c);
			rdt_chan_touch(c);
			return;
		}
	} else if (rdt_wire_decode(buf, len, &h, &why) < 0) {
		d->malformed++;
		if (trace_on)
			trace_line("  (rdt: a datagram from a stranger ignored: %s)", why);
		return;
	}
	if (h.flags == RDT_SYN && d->listening) {
		open_new(d, buf, len, from, local, now);
		return;
	}
	d->strangers++;
	if (trace_on)
		trace_line("  (rdt: a datagram for no connection of this server%s)", h.flags & RDT_RST ? ", an RST: ignored" : ": RST");
	if (!(h.flags & RDT_RST)) /* never answer a reset with a reset */
		reset(d, &h, from, local);
}
