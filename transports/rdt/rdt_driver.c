/* rdt_driver.c - rdt's protocol thread: wait for a datagram, the application or a timer; then let every connection move. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "rdt_sock.h"

void rdt_driver_transmit(struct rdt_driver *d, struct rdt_chan *c, const void *buf, size_t len)
{
	/* A datagram the kernel refuses (EAGAIN, ENOBUFS...) is lost, as on any network: a timer sends it again. */
	if (d->listener) /* from the address the peer wrote to: a server on 0.0.0.0 may have several */
		(void)sock_sendmsg(&d->udp, buf, len, &c->entry.addr, &c->local);
	else
		(void)sock_send(&d->udp, buf, len);
}

/* Room in the poll set for n entries. 0, or -1 (then the thread polls only the UDP socket and its wake-up). */
static int grow(struct rdt_driver *d, unsigned n)
{
	if (n <= d->pcap)
		return 0;
	unsigned cap = d->pcap ? d->pcap : 8;
	while (cap < n)
		cap *= 2;
	struct pollfd *p = realloc(d->pfd, cap * sizeof *p);
	if (p)
		d->pfd = p;
	struct rdt_chan **q = p ? realloc(d->pchan, cap * sizeof *q) : NULL;
	if (!q)
		return -1;
	d->pchan = q;
	d->pcap = cap;
	return 0;
}

/* What arrived on the UDP socket, at most RDT_BATCH datagrams: each to its connection. */
static void input(struct rdt_driver *d, long long now)
{
	for (int i = 0; i < RDT_BATCH; i++) {
		struct addr from, local;
		int truncated = 0;
		/* One byte more than the largest datagram: a longer one arrives cut, and is refused as malformed. */
		ssize_t n = d->listener ? sock_recvmsg(&d->udp, d->in, d->dgram_max + 1, &from, &local, &truncated)
					: sock_recv(&d->udp, d->in, d->dgram_max + 1, &truncated);
		if (n < 0)
			return; /* EAGAIN: all read; anything else is a datagram's error, and the next round tries again */
		if (d->listener)
			rdt_demux_input(d, d->in, (size_t)n, &from, &local, now);
		else if (d->chans)
			(void)rdt_input(d->chans->core, d->in, (size_t)n, now);
	}
}

/* What c counted, into the driver's totals, before c goes. */
static void fold_stats(struct rdt_driver *d, const struct rdt_chan *c)
{
	struct rdt_stats s;
	struct rdt_stats *g = &d->gone;

	rdt_get_stats(c->core, &s);
	g->datagrams_sent += s.datagrams_sent;
	g->datagrams_received += s.datagrams_received;
	g->data_sent += s.data_sent;
	g->retransmits_timeout += s.retransmits_timeout;
	g->retransmits_fast += s.retransmits_fast;
	g->probes += s.probes;
	g->timeouts += s.timeouts;
	g->acks_received += s.acks_received;
	g->dupacks += s.dupacks;
	g->duplicates += s.duplicates;
	g->held += s.held;
	g->dropped += s.dropped;
	g->no_room += s.no_room;
	g->messages_sent += s.messages_sent;
	g->bytes_sent += s.bytes_sent;
	g->messages_delivered += s.messages_delivered;
	g->bytes_delivered += s.bytes_delivered;
	g->malformed += s.malformed;
	g->strangers += s.strangers;
	g->out_of_window += s.out_of_window;
}

static long long earlier(long long a, long long b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * Every connection moves (rdt_chan_pump), the finished ones are freed, and
 * the poll set is made: the wake-up pipe, the UDP socket, and each pair that
 * has something to say. Returns the entries, and the next timer in *wake.
 */
static unsigned prepare(struct rdt_driver *d, long long now, long long *wake)
{
	unsigned n = 2;
	int room = grow(d, d->nchans + 2) == 0;

	for (struct rdt_chan *c = d->chans, *next; c; c = next) {
		next = c->next;
		if (d->stopping) {
			d->listening = 0;
			rdt_chan_stop(c);
		}
		long long w = rdt_chan_pump(c, now);
		if (rdt_chan_finished(c)) {
			fold_stats(d, c);
			rdt_demux_unlink(d, c);
			rdt_chan_free(c);
			continue;
		}
		*wake = earlier(*wake, w);
		short ev = rdt_chan_events(c);
		if (ev && room) {
			d->pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
			d->pchan[n++] = c;
		}
	}
	if (!room) /* no memory for the poll set: look again soon rather than miss a pair */
		*wake = earlier(*wake, 1000);
	return n;
}

void rdt_driver_step(struct rdt_driver *d, long long deadline)
{
	long long now = rdt_now();
	long long wake = deadline < 0 ? -1 : (deadline > now ? deadline - now : 0);
	struct pollfd base[2];
	unsigned n = prepare(d, now, &wake);
	struct pollfd *p = d->pfd ? d->pfd : base;

	if (!d->pfd)
		n = 2;
	p[0] = (struct pollfd){ .fd = d->wake[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = d->udp.fd, .events = POLLIN };
	if (d->running && rdt_driver_done(d))
		return;
	/* Rounded up: an early wake-up costs a round, a late one is what the RTO's granularity allows for. */
	int ms = wake < 0 ? -1 : wake / 1000 >= INT_MAX ? INT_MAX : (int)((wake + 999) / 1000);
	pthread_mutex_unlock(&d->lock);
	int r = poll(p, n, ms); /* the thread's own wait, not a call the program made: not traced */
	pthread_mutex_lock(&d->lock);
	if (r <= 0)
		return; /* a timer, or EINTR (signals are blocked in the thread; the dialing thread may get one) */
	if (p[0].revents) {
		char drain[64];
		while (read(d->wake[0], drain, sizeof drain) > 0)
			;
	}
	for (unsigned i = 2; i < n; i++)
		if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL))
			d->pchan[i]->hup = 1; /* nothing more can come from it: read it without waiting */
	if (p[1].revents)
		input(d, rdt_now());
}

int rdt_driver_done(const struct rdt_driver *d)
{
	return !d->chans && (d->refs == 0 || d->stopping);
}

void *rdt_driver_main(void *arg)
{
	struct rdt_driver *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!rdt_driver_done(d))
		rdt_driver_step(d, -1);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}
