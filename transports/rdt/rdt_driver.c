/* rdt_driver.c - one UDP socket of rdt: its datagrams in, its connections moved when due, their datagrams out. */
#include <errno.h>
#include <stdlib.h>

#include "rdt_sock.h"

void rdt_driver_transmit(struct rdt_driver *d, struct rdt_chan *c, const void *buf, size_t len)
{
	/* A datagram the kernel refuses (EAGAIN, ENOBUFS...) is lost, as on any network: a timer sends it again. */
	if (d->listener && c) /* from the address the peer wrote to: a server on 0.0.0.0 may have several */
		(void)sock_sendmsg(&d->udp, buf, len, &c->entry.addr, &c->local);
	else
		(void)sock_send(&d->udp, buf, len);
}

void rdt_driver_answer(struct rdt_driver *d, struct rdt_chan *c, long long now)
{
	ssize_t n;

	unsigned char *slot;

	while ((n = rdt_output(c->core, now, slot = rdt_burst_slot(d), d->dgram_max)) > 0)
		rdt_burst_queue(d, c, slot, (size_t)n);
}

void rdt_chan_touch(struct rdt_chan *c)
{
	if (c->dirty)
		return;
	c->dirty = 1;
	c->dnext = c->d->dirty;
	c->d->dirty = c;
}

/*
 * A client's UDP socket is connected: the kernel reports an ICMP port
 * unreachable for it as ECONNREFUSED (udp(7)). In the handshake that is the
 * answer, as Linux's TCP takes it in SYN_SENT; later, a loss.
 */
static void refused(struct rdt_driver *d)
{
	if (errno == ECONNREFUSED && !d->listener && d->chans && rdt_state(d->chans->core) == RDT_SYN_SENT) {
		d->chans->error = ECONNREFUSED;
		rdt_abort(d->chans->core);
		rdt_chan_touch(d->chans);
	}
}

void rdt_driver_input(struct rdt_driver *d, long long now)
{
	int r = rdt_burst_input(d, now); /* a client, or a listener on one address: all at once */

	if (r < 0)
		refused(d); /* EAGAIN: all read; anything else is a datagram's error, and the next round tries again */
	for (int i = 0; r == 0 && i < RDT_BATCH; i++) {
		struct addr from, local;
		int truncated = 0;
		/* One byte more than the largest datagram: a longer one arrives cut, and is refused as malformed. */
		ssize_t n = d->listener ? sock_recvmsg(&d->udp, d->in, d->dgram_max + 1, &from, &local, &truncated)
					: sock_recv(&d->udp, d->in, d->dgram_max + 1, &truncated);
		if (n < 0) {
			refused(d);
			break;
		}
		if (d->listener) {
			rdt_demux_input(d, d->in, (size_t)n, &from, &local, now);
		} else if (d->chans) {
			(void)rdt_input(d->chans->core, d->in, (size_t)n, now);
			rdt_driver_answer(d, d->chans, now);
			rdt_chan_touch(d->chans);
		}
	}
	rdt_burst_flush(d);
}

void rdt_driver_event(struct rdt_driver *d, struct rdt_chan *c, int hup)
{
	(void)d;
	if (hup) {
		c->hup = 1;
		c->watched = 0; /* the thread unwatched it */
	}
	rdt_chan_touch(c);
}

/* Moves c, then frees it if it is over, or sets its timer and what its pair is watched for. */
static void pump(struct rdt_driver *d, struct rdt_chan *c, long long now)
{
	long long w = rdt_chan_pump(c, now);

	if (rdt_chan_finished(c)) {
		rdt_driver_fold(d, c);
		if (c->watched)
			rdt_hub_unwatch(c->fd);
		rdt_demux_unlink(d, c);
		rdt_chan_free(c);
		return;
	}
	c->due = w < 0 ? -1 : now + w;
	unsigned ev = rdt_chan_events(c);
	if (c->hup || (c->watched && ev == c->events))
		return;
	if (rdt_hub_watch(c->fd, ev, d, c) == 0) {
		c->watched = 1;
		c->events = ev;
	} else {
		c->due = now + 1000; /* no memory to watch it: look again soon rather than miss it */
	}
}

long long rdt_driver_run(struct rdt_driver *d, long long now)
{
	long long next = -1;

	if (d->stopping)
		d->listening = 0;
	for (struct rdt_chan *c = d->chans; c; c = c->next) {
		if (d->stopping)
			rdt_chan_stop(c);
		if (d->stopping || (c->due >= 0 && c->due <= now))
			rdt_chan_touch(c);
	}
	while (d->dirty) {
		struct rdt_chan *c = d->dirty;
		d->dirty = c->dnext;
		c->dirty = 0;
		pump(d, c, now);
	}
	for (struct rdt_chan *c = d->chans; c; c = c->next)
		if (c->due >= 0 && (next < 0 || c->due - now < next))
			next = c->due > now ? c->due - now : 0;
	rdt_burst_flush(d);
	return next;
}

int rdt_driver_done(const struct rdt_driver *d)
{
	return !d->chans && (d->refs == 0 || d->stopping);
}
